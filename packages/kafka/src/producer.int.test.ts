import { MAX_RECORD_BYTES, type topicNames } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKafka } from './client.ts';
import { RecordsRejectedError, RetryableError } from './errors.ts';
import { createProducer } from './producer.ts';
import { recordSizeBytes } from './record-size.ts';
import { waitForLeaders } from './topics.ts';
import type { VocflowProducer } from './types.ts';

const logger = createLogger({ service: 'producer-test', level: 'silent' });
const settings = stackSettings();
/** The small topic's `max.message.bytes`: a few KB keeps "too large" cheap. */
const SMALL_LIMIT = 4_096;

describe('producer on a real broker', () => {
  let prefix: string;
  let topics: ReturnType<typeof topicNames>;
  let small: string;
  let kafka: Kafka;
  let producer: VocflowProducer;
  const prefixes: string[] = [];

  beforeEach(async (context) => {
    prefix = testNamespace(context.task.name);
    prefixes.push(prefix);
    topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['feedback.raw.v1'],
    });
    kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'producer-test', logger });
    small = `${prefix}small`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: small,
            numPartitions: 1,
            configEntries: [{ name: 'max.message.bytes', value: String(SMALL_LIMIT) }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    await waitForLeaders(kafka, [small]);
    // The producer is not told the small topic's limit: the broker's refusal is what it must handle.
    producer = createProducer(kafka, { logger, sendTimeoutMs: 20_000 });
    await producer.connect();
  });

  afterEach(async () => {
    await producer.disconnect();
  });

  afterAll(async () => {
    for (const p of prefixes) await deleteTopics(p, settings.kafkaBrokers).catch(() => undefined);
  });

  const values = async (topic: string): Promise<string[]> => {
    const admin = kafka.admin();
    await admin.connect();
    let high: number;
    try {
      const [partition] = await admin.fetchTopicOffsets(topic);
      high = Number(partition!.high);
    } finally {
      await admin.disconnect();
    }
    const seen: string[] = [];
    if (high === 0) return seen;
    const reader = kafka.consumer({ groupId: `${prefix}reader-${topic}` });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const all = new Promise<void>((resolve) => {
      done = resolve;
    });
    await reader.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString().slice(0, 20));
        if (Number(message.offset) + 1 >= high) done();
      },
    });
    await all;
    await reader.disconnect();
    return seen;
  };

  it('refuses only the record over the topic limit, as non-retryable, and acknowledges the rest of the batch', async () => {
    const tooLarge = `big-${'x'.repeat(SMALL_LIMIT)}`;
    const first = producer.send(small, [
      { key: 'a', value: 'ok-1' },
      { key: 'b', value: tooLarge },
      { key: 'c', value: 'ok-2' },
    ]);
    // Another caller's records share the request and must not fail with it.
    const other = producer.send(topics.feedbackRaw, [{ key: 'd', value: 'other-1' }]);
    const error = await first.then(
      () => undefined,
      (e: unknown) => e,
    );
    await expect(other).resolves.toBeUndefined();
    expect(error).toBeInstanceOf(RecordsRejectedError);
    expect(error).not.toBeInstanceOf(RetryableError);
    expect((error as RecordsRejectedError).rejected).toEqual([
      expect.objectContaining({ topic: small, index: 1, reason: 'record_too_large' }),
    ]);
    expect((await values(small)).sort()).toEqual(['ok-1', 'ok-2']);
    expect(await values(topics.feedbackRaw)).toContain('other-1');
  });

  it('splits a request the broker finds too large as a whole and delivers every record', async () => {
    // Each record fits, together they do not: the broker refuses the batch, the producer halves it.
    const records = Array.from({ length: 12 }, (_, i) => ({
      key: `k${i}`,
      value: `r${i}-${'y'.repeat(900)}`,
    }));
    expect(records.reduce((n, r) => n + recordSizeBytes(r), 0)).toBeGreaterThan(SMALL_LIMIT);
    await producer.send(small, records);
    const got = await values(small);
    expect(new Set(got.map((v) => v.split('-')[0]))).toEqual(new Set(records.map((_, i) => `r${i}`)));
  });

  it('refuses a record over a contract topic limit before sending it', async () => {
    const limit = MAX_RECORD_BYTES['feedback.raw.v1'];
    const error = await producer
      .send(topics.feedbackRaw, [
        { key: 'ok', value: 'fits' },
        { key: 'big', value: 'z'.repeat(limit) },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(RecordsRejectedError);
    expect((error as RecordsRejectedError).rejected).toEqual([
      expect.objectContaining({ index: 1, reason: 'record_too_large' }),
    ]);
    expect((error as RecordsRejectedError).rejected[0]!.detail).toContain(String(limit));
    expect(await values(topics.feedbackRaw)).toEqual(['fits']);
  });
});
