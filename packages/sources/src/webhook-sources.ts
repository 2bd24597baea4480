import { delightedSource } from './adapters/delighted.adapter.ts';
import { formbricksSource } from './adapters/formbricks.adapter.ts';
import { jotformSource } from './adapters/jotform.adapter.ts';
import { genericSource } from './adapters/own-formats.adapter.ts';
import { qualtricsSource } from './adapters/qualtrics.adapter.ts';
import { surveymonkeySource } from './adapters/surveymonkey.adapter.ts';
import { tallySource } from './adapters/tally.adapter.ts';
import { typeformSource } from './adapters/typeform.adapter.ts';
import { zendeskSource } from './adapters/zendesk.adapter.ts';
import type { WebhookSource } from './webhook-source.ts';

/** Every webhook source ingest serves, each defined in its own file. */
export const WEBHOOK_SOURCES: readonly WebhookSource<unknown>[] = [
  typeformSource,
  surveymonkeySource,
  qualtricsSource,
  formbricksSource,
  tallySource,
  delightedSource,
  zendeskSource,
  jotformSource,
  genericSource,
];

/** Every environment variable a webhook source reads its secrets from. */
export const WEBHOOK_SECRET_VARIABLES: readonly string[] = WEBHOOK_SOURCES.flatMap((s) => s.secretVariables);
