import { topicNames } from '@vocflow/contracts';
import { dlq, type InboundMessage, pipe, type StepResult } from '@vocflow/kafka';
import { createComputeContributionStep } from './steps/compute-contribution.step.ts';
import { createParseAlertStep } from './steps/parse-alert.step.ts';
import { createParseCustomerStep } from './steps/parse-customer.step.ts';
import { createParseEnrichedStep } from './steps/parse-enriched.step.ts';
import { createToArchiveEntryStep } from './steps/to-archive-entry.step.ts';
import type { AggregationOutput, ArchiveEntry } from './types.ts';

/**
 * The aggregation consumer reads three topics; each record goes down its topic's steps:
 *   feedback.enriched.v1 → parse → contribution      (rollups, latest feedback)
 *   customers.v1         → parse profile or tombstone (profiles for the API)
 *   feedback.alerts.v1   → parse alert                (recent alerts for the API)
 */
export function createAggregationPipeline(options: { topicPrefix: string }) {
  const topics = topicNames(options.topicPrefix);
  const feedback = pipe(createParseEnrichedStep(), createComputeContributionStep());
  const customers = pipe(createParseCustomerStep());
  const alerts = pipe(createParseAlertStep());
  return async function aggregationPipeline(message: InboundMessage): Promise<StepResult<AggregationOutput>> {
    if (message.topic === topics.feedbackEnriched) return feedback(message);
    if (message.topic === topics.customers) return customers(message);
    if (message.topic === topics.alerts) return alerts(message);
    return dlq('aggregationPipeline', 'unexpected_topic', `not a topic of this service: ${message.topic}`);
  };
}

/** The archive consumer: every valid enriched event becomes a line of its day's archive object. */
export function createArchivePipeline() {
  const archive = pipe(createParseEnrichedStep(), createToArchiveEntryStep());
  return async function archivePipeline(message: InboundMessage): Promise<StepResult<ArchiveEntry>> {
    return archive(message);
  };
}
