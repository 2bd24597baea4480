import { type CustomerProfile, MAX_RECORD_BYTES, type topicNames } from '@vocflow/contracts';
import {
  createKafka,
  createProducer,
  RecordTooLargeError,
  recordSizeBytes,
  type VocflowProducer,
} from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFeedbackPublisher } from './feedback.publisher.ts';

const settings = stackSettings();
const logger = createLogger({ service: 'publisher-test', level: 'silent' });
const LIMIT = MAX_RECORD_BYTES['customers.v1'];

/** A profile whose record (as the publisher writes it) takes exactly `bytes` bytes by the producer's count. */
function profileOfSize(id: string, bytes: number): CustomerProfile {
  const base: CustomerProfile = {
    schema: 'customers.v1',
    id,
    handles: [],
    attributes: { note: '' },
    updatedAt: '2026-11-20T10:00:00.000Z',
  };
  const size = (p: CustomerProfile) =>
    recordSizeBytes({ key: p.id, value: JSON.stringify(p), headers: { schema: 'customers.v1' } });
  return { ...base, attributes: { note: 'n'.repeat(bytes - size(base)) } };
}

describe('ingest publisher on a real broker', () => {
  let prefix: string;
  let topics: ReturnType<typeof topicNames>;
  let kafka: Kafka;
  let producer: VocflowProducer;
  const prefixes: string[] = [];

  beforeEach(async (context) => {
    prefix = testNamespace(context.task.name);
    prefixes.push(prefix);
    topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['customers.v1'],
    });
    kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'publisher-test', logger });
    producer = createProducer(kafka, { logger, sendTimeoutMs: 20_000 });
    await producer.connect();
  });

  afterEach(async () => {
    await producer.disconnect();
  });

  afterAll(async () => {
    for (const p of prefixes) await deleteTopics(p, settings.kafkaBrokers).catch(() => undefined);
  });

  const recordsOn = async (topic: string): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  };

  it('refuses a request with a record one byte over the topic limit before producing any of it', async () => {
    const publisher = createFeedbackPublisher(producer, prefix);
    const error = await publisher
      .publishProfiles([profileOfSize('fits', 1_000), profileOfSize('over', LIMIT + 1)])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(error).toMatchObject({
      topic: topics.customers,
      limitBytes: LIMIT,
      sizeBytes: LIMIT + 1,
      index: 1,
    });
    expect((error as Error).message).toContain(String(LIMIT));
    expect(await recordsOn(topics.customers)).toBe(0);
  });

  it('stores a record exactly at the limit: the size is counted conservatively', async () => {
    const publisher = createFeedbackPublisher(producer, prefix);
    await publisher.publishProfiles([profileOfSize('at-limit', LIMIT)]);
    expect(await recordsOn(topics.customers)).toBe(1);
  });
});
