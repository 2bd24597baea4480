import { createKafka } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaPipelineCounter } from './pipeline-counts.kafka.ts';

const settings = stackSettings();
const logger = createLogger({ service: 'pipeline-counts-test', level: 'silent' });

describe('pipeline counts on the real Kafka', () => {
  const prefix = testNamespace('pipeline-counts');
  afterAll(() => deleteTopics(prefix, settings.kafkaBrokers).catch(() => undefined));

  it('sums the raw and DLQ topics in the background and answers with the latest refresh', async () => {
    const topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 2,
      topics: ['feedback.raw.v1', 'feedback.dlq.v1'],
    });
    const kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'pipeline-counts-test', logger });
    const counter = createKafkaPipelineCounter({
      kafka,
      rawTopic: topics.feedbackRaw,
      dlqTopic: topics.dlq,
      refreshMs: 60_000,
      timeoutMs: 10_000,
    });
    try {
      await counter.refresh();
      expect(await counter.counts()).toEqual({ ingested: 0, dlq: 0 });

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: topics.feedbackRaw,
        messages: [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ],
      });
      await producer.send({ topic: topics.dlq, messages: [{ key: 'a', value: 'x' }] });
      await producer.disconnect();

      // Until the next refresh the last known counts stand.
      expect(await counter.counts()).toEqual({ ingested: 0, dlq: 0 });
      await counter.refresh();
      expect(await counter.counts()).toEqual({ ingested: 3, dlq: 1 });
    } finally {
      await counter.close();
    }
  });
});
