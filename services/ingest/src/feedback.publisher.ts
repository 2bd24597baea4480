import { type CustomerProfile, type RawFeedback, topicNames } from '@vocflow/contracts';
import {
  type OutboundMessage,
  RecordTooLargeError,
  recordSizeBytes,
  topicRecordLimit,
  type VocflowProducer,
} from '@vocflow/kafka';
import { recordKey } from '@vocflow/sources';

/** Writes accepted records to Kafka; resolves only once all in-sync replicas acknowledged them. */
export interface FeedbackPublisher {
  /** Throws RecordTooLargeError, before producing anything, when one record exceeds its topic's limit. */
  publishFeedback(records: readonly RawFeedback[]): Promise<void>;
  /** Throws RecordTooLargeError, before producing anything, when one profile exceeds its topic's limit. */
  publishProfiles(profiles: readonly CustomerProfile[]): Promise<void>;
}

export interface FeedbackPublisherOptions {
  /** The most bytes one record of a topic may take; default: the topic's `max.message.bytes` contract. */
  readonly maxRecordBytes?: (topic: string) => number | undefined;
}

export function createFeedbackPublisher(
  producer: VocflowProducer,
  topicPrefix: string,
  options: FeedbackPublisherOptions = {},
): FeedbackPublisher {
  const topics = topicNames(topicPrefix);
  const limitOf = options.maxRecordBytes ?? topicRecordLimit;

  /** All or nothing: a request with one oversized record produces none of its records. */
  const publish = async (topic: string, messages: readonly OutboundMessage[]) => {
    const limit = limitOf(topic);
    if (limit !== undefined) {
      messages.forEach((message, index) => {
        const size = recordSizeBytes(message);
        if (size > limit) throw new RecordTooLargeError(topic, size, limit, { index });
      });
    }
    await producer.send(topic, messages);
  };

  return {
    publishFeedback(records) {
      return publish(
        topics.feedbackRaw,
        records.map((r) => ({
          key: recordKey(r),
          value: JSON.stringify(r),
          headers: { 'feedback-id': r.feedbackId, source: r.source, schema: 'feedback.raw.v1' },
        })),
      );
    },
    publishProfiles(profiles) {
      return publish(
        topics.customers,
        profiles.map((p) => ({ key: p.id, value: JSON.stringify(p), headers: { schema: 'customers.v1' } })),
      );
    },
  };
}
