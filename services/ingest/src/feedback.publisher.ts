import { type CustomerProfile, type RawFeedback, topicNames } from '@vocflow/contracts';
import type { VocflowProducer } from '@vocflow/kafka';
import { recordKey } from '@vocflow/sources';

/** Writes accepted records to Kafka; resolves only once all in-sync replicas acknowledged them. */
export interface FeedbackPublisher {
  publishFeedback(records: readonly RawFeedback[]): Promise<void>;
  publishProfiles(profiles: readonly CustomerProfile[]): Promise<void>;
}

export function createFeedbackPublisher(producer: VocflowProducer, topicPrefix: string): FeedbackPublisher {
  const topics = topicNames(topicPrefix);
  return {
    publishFeedback(records) {
      return producer.send(
        topics.feedbackRaw,
        records.map((r) => ({
          key: recordKey(r),
          value: JSON.stringify(r),
          headers: { 'feedback-id': r.feedbackId, source: r.source, schema: 'feedback.raw.v1' },
        })),
      );
    },
    publishProfiles(profiles) {
      return producer.send(
        topics.customers,
        profiles.map((p) => ({ key: p.id, value: JSON.stringify(p), headers: { schema: 'customers.v1' } })),
      );
    },
  };
}
