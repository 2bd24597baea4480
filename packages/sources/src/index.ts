export * from './adapters/adapter.ts';
export * from './adapters/delighted.adapter.ts';
export * from './adapters/formbricks.adapter.ts';
export * from './adapters/jotform.adapter.ts';
export * from './adapters/own-formats.adapter.ts';
export * from './adapters/qualtrics.adapter.ts';
export * from './adapters/surveymonkey.adapter.ts';
export * from './adapters/tally.adapter.ts';
export * from './adapters/typeform.adapter.ts';
export * from './adapters/zendesk.adapter.ts';
export * from './feedback-id.ts';
/**
 * @deprecated test fixtures: import them from '@vocflow/sources/testing'. Still re-exported only for
 * services/enrichment/src/enrichment.int.test.ts, whose area is being changed by another piece of work.
 */
export { fixtureBytes, fixturePath } from './fixtures.ts';
export * from './hydration/hydrate.step.ts';
export * from './hydration/hydration.config.ts';
export * from './hydration/provider-api.client.ts';
export * from './hydration/qualtrics.hydrator.ts';
export * from './hydration/surveymonkey.hydrator.ts';
export * from './hydration/token-bucket.ts';
export * from './mapping.ts';
export * from './signature.ts';
export * from './webhook-source.ts';
export * from './webhook-sources.ts';
