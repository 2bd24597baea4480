import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3 } from '@vocflow/clients';
import type { S3Config } from '@vocflow/config';
import { DlqRecord, decode, type topicNames } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKafka } from './client.ts';
import { createBatchConsumer } from './consumer.ts';
import { RetryableError } from './errors.ts';
import { createProducer } from './producer.ts';
import { dlq, ok, type StepResult } from './result.ts';
import type { BatchConsumer, BatchConsumerOptions, InboundMessage, Sink, VocflowProducer } from './types.ts';

const logger = createLogger({ service: 'runner-test', level: 'silent' });
const settings = stackSettings();
const s3Config = (): S3Config => ({ ...settings.s3, prefix: '' });

async function until(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('batch consumer on a real broker', () => {
  let prefix: string;
  let topics: ReturnType<typeof topicNames>;
  let kafka: Kafka;
  let producer: VocflowProducer;
  const consumers: BatchConsumer[] = [];
  const prefixes: string[] = [];

  beforeEach(async (context) => {
    prefix = testNamespace(context.task.name);
    topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['feedback.raw.v1', 'feedback.dlq.v1'],
    });
    prefixes.push(prefix);
    kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'runner-test', logger });
    producer = createProducer(kafka, { logger });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
    await producer.disconnect();
  });

  afterAll(async () => {
    for (const p of prefixes) await deleteTopics(p, settings.kafkaBrokers).catch(() => undefined);
  });

  const produce = (values: string[]) =>
    producer.send(
      topics.feedbackRaw,
      values.map((value) => ({ key: null, value })),
    );

  const consumer = <O>(
    overrides: Partial<BatchConsumerOptions<O>> & Pick<BatchConsumerOptions<O>, 'process'>,
  ) => {
    const c = createBatchConsumer<O>({
      kafka,
      groupId: `${prefix}group`,
      topics: [topics.feedbackRaw],
      service: 'runner-test',
      stage: 'enrichment',
      dlqTopic: topics.dlq,
      producer,
      logger,
      retry: { initialMs: 50, maxMs: 200 },
      ...overrides,
    });
    consumers.push(c);
    return c;
  };

  const committed = async (): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId: `${prefix}group`, topics: [topics.feedbackRaw] });
      return Number(entry?.partitions[0]?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  };

  const readDlq = async (count: number): Promise<DlqRecord[]> => {
    const records: DlqRecord[] = [];
    const reader = kafka.consumer({ groupId: `${prefix}dlq-reader` });
    await reader.connect();
    await reader.subscribe({ topic: topics.dlq, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const decoded = decode(DlqRecord, message.value);
        if (decoded.ok) records.push(decoded.value);
      },
    });
    try {
      await until(() => records.length >= count, 30_000, 'DLQ records');
    } finally {
      await reader.disconnect();
    }
    return records;
  };

  it('commits no offset while an S3 write fails, then delivers everything once S3 answers', async () => {
    await produce(['a', 'b', 'c', 'd', 'e']);
    const s3Sink = (s3: S3Client, attempts: { n: number }): Sink<string> => ({
      async write(outputs) {
        attempts.n += 1;
        try {
          await Promise.all(
            outputs.map((o) =>
              s3.send(
                new PutObjectCommand({
                  Bucket: settings.s3.bucket,
                  Key: `${prefix}out/${o.message.offset}`,
                  Body: o.value,
                }),
              ),
            ),
          );
        } catch (error) {
          throw new RetryableError('s3', 'S3 write failed', { cause: error });
        }
        return undefined;
      },
    });
    // Nothing listens on port 1: every write fails the way it does while S3 is down.
    const deadS3 = createS3({ ...s3Config(), endpoint: 'http://127.0.0.1:1' });
    const failedWrites = { n: 0 };
    const failing = consumer<string>({
      process: async (m) => ok(m.value!.toString()),
      sink: s3Sink(deadS3, failedWrites),
    });
    await failing.start();
    await until(() => failedWrites.n >= 3, 30_000, 'repeated S3 failures');
    await failing.close();
    expect(await committed()).toBe(-1);

    const s3 = createS3(s3Config());
    const healthy = consumer<string>({
      process: async (m) => ok(m.value!.toString()),
      sink: s3Sink(s3, { n: 0 }),
    });
    await healthy.start();
    await until(async () => (await committed()) === 5, 30_000, 'commit after the S3 writes');
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: settings.s3.bucket, Prefix: `${prefix}out/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(
      ['0', '1', '2', '3', '4'].map((offset) => `${prefix}out/${offset}`),
    );
    const body = await s3.send(new GetObjectCommand({ Bucket: settings.s3.bucket, Key: `${prefix}out/4` }));
    expect(await body.Body?.transformToString()).toBe('e');
  });

  it('pauses on a retryable failure and resumes without skipping a message', async () => {
    const values = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await produce(values);
    const written: string[] = [];
    let calls = 0;
    const c = consumer<string>({
      process: async (m) => ok(m.value!.toString()),
      sink: {
        async write(outputs) {
          calls += 1;
          if (calls <= 2) throw new RetryableError('s3', 'slow down');
          written.push(...outputs.map((o) => o.value));
          return undefined;
        },
      },
    });
    await c.start();
    await until(() => written.length >= values.length, 30_000, 'all messages');
    expect(calls).toBeGreaterThan(2);
    expect(written).toEqual(values);
    await until(async () => (await committed()) === values.length, 10_000, 'commit');
  });

  it('sends a poison message to the DLQ with its reason and origin and goes on with the partition', async () => {
    await produce(['ok-1', 'poison', 'ok-2']);
    const written: string[] = [];
    const c = consumer<string>({
      process: async (m): Promise<StepResult<string>> =>
        m.value!.toString() === 'poison'
          ? dlq('parseStep', 'invalid_schema', 'not a feedback record')
          : ok(m.value!.toString()),
      sink: {
        async write(outputs) {
          written.push(...outputs.map((o) => o.value));
          return undefined;
        },
      },
    });
    await c.start();
    await until(() => written.length >= 2, 30_000, 'good messages');
    expect(written).toEqual(['ok-1', 'ok-2']);
    const [record] = await readDlq(1);
    expect(record).toMatchObject({
      reason: 'invalid_schema',
      step: 'parseStep',
      stage: 'enrichment',
      attempts: 1,
      origin: { topic: topics.feedbackRaw, partition: 0, offset: '1' },
    });
    expect(Buffer.from(record!.original.value!, 'base64').toString()).toBe('poison');
    await until(async () => (await committed()) === 3, 10_000, 'commit past the poison message');
  });

  it('retries an unexpected exception a few times, then DLQs it as retries_exhausted', async () => {
    await produce(['fine', 'boom', 'after']);
    const attempts = new Map<string, number>();
    const written: string[] = [];
    const c = consumer<string>({
      maxAttempts: 3,
      process: async (m: InboundMessage) => {
        const value = m.value!.toString();
        attempts.set(value, (attempts.get(value) ?? 0) + 1);
        if (value === 'boom') throw new TypeError('a bug');
        return ok(value);
      },
      sink: {
        async write(outputs) {
          written.push(...outputs.map((o) => o.value));
          return undefined;
        },
      },
    });
    await c.start();
    await until(() => written.length >= 2, 30_000, 'good messages');
    expect(attempts.get('boom')).toBe(3);
    const [record] = await readDlq(1);
    expect(record).toMatchObject({ reason: 'retries_exhausted', attempts: 3, origin: { offset: '1' } });
    expect(record!.detail).toContain('a bug');
  });

  it('finishes and commits the batch in flight on shutdown', async () => {
    await produce(Array.from({ length: 40 }, (_, i) => `s${i}`));
    let processed = 0;
    const written: string[] = [];
    const c = consumer<string>({
      process: async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 25));
        processed += 1;
        return ok(m.value!.toString());
      },
      sink: {
        async write(outputs) {
          written.push(...outputs.map((o) => o.value));
          return undefined;
        },
      },
    });
    await c.start();
    await until(() => processed >= 3, 30_000, 'processing to start');
    await c.close();
    expect(written.length).toBe(processed);
    expect(written.length).toBeGreaterThan(0);
    expect(await committed()).toBe(written.length);
  });

  it('redelivers from the last commit after a consumer is killed mid-batch', async () => {
    const total = 300;
    // Separate small produce requests make separate record batches, so the stream arrives in many
    // consumer batches and the kill lands in the middle of it.
    for (let i = 0; i < total; i += 10) await produce(Array.from({ length: 10 }, (_, j) => `k${i + j}`));
    const redis = new Redis(settings.redisUrl);
    const outputKey = `${prefix}offsets`;
    const fixture = fileURLToPath(new URL('./testing/offsets-consumer.fixture.ts', import.meta.url));
    const env = {
      ...process.env,
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      REDIS_URL: settings.redisUrl,
      TOPIC: topics.feedbackRaw,
      DLQ_TOPIC: topics.dlq,
      GROUP: `${prefix}group`,
      OUTPUT_KEY: outputKey,
    };
    try {
      const first = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      // Kill only once something was committed (a condition, not a time): on a busy machine the
      // first writes can come long before the first commit.
      await until(
        async () => (await redis.llen(outputKey)) >= 40 && (await committed()) > 0,
        60_000,
        'first consumer to write and commit',
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));
      const writtenBeforeKill = await redis.llen(outputKey);
      const lastCommit = await committed();
      expect(lastCommit).toBeGreaterThan(0);
      expect(lastCommit).toBeLessThanOrEqual(writtenBeforeKill);
      expect(lastCommit).toBeLessThan(total);

      const second = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        await until(async () => (await committed()) === total, 90_000, 'second consumer to finish');
      } finally {
        second.kill('SIGTERM');
        await new Promise((resolve) => second.once('exit', resolve));
      }
      const offsets = (await redis.lrange(outputKey, 0, -1)).map(Number);
      const afterKill = offsets.slice(writtenBeforeKill);
      // The second consumer starts exactly at the last committed offset…
      expect(afterKill[0]).toBe(lastCommit);
      // …and together they wrote every offset, none skipped.
      expect(new Set(offsets).size).toBe(total);
      expect(Math.max(...offsets)).toBe(total - 1);
    } finally {
      await redis.del(outputKey);
      redis.disconnect();
    }
  }, 150_000);
});
