import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3 } from '@vocflow/clients';
import type { S3Config } from '@vocflow/config';
import { DlqRecord, decode, type topicNames } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { dependencyWait, dlq, ok, type StepResult } from '@vocflow/steps';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKafka } from './client.ts';
import { createBatchConsumer } from './consumer.ts';
import { RetryableError } from './errors.ts';
import { createProducer } from './producer.ts';
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
    const finishedBeforeClose = processed;
    await c.close();
    // Every message finished before close() is written and committed; the one in flight is
    // abandoned (its late result ignored) and left to the next owner.
    expect(written.length).toBeGreaterThanOrEqual(finishedBeforeClose);
    expect(written).toEqual(Array.from({ length: written.length }, (_, i) => `s${i}`));
    expect(await committed()).toBe(written.length);
  });

  it('sends a message that hangs past its budget to the DLQ as processing_timeout and goes on', async () => {
    await produce(['a', 'hang', 'b', 'c']);
    const written: string[] = [];
    const c = consumer<string>({
      messageBudgetMs: 1_000,
      process: async (m) => {
        const value = m.value!.toString();
        if (value === 'hang') await new Promise(() => undefined);
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
    await until(() => written.length >= 3, 30_000, 'the messages after the hanging one');
    expect(written).toEqual(['a', 'b', 'c']);
    const [record] = await readDlq(1);
    expect(record).toMatchObject({ reason: 'processing_timeout', origin: { offset: '1' } });
    expect(Buffer.from(record!.original.value!, 'base64').toString()).toBe('hang');
    await until(async () => (await committed()) === 4, 10_000, 'commit past the hanging message');
  });

  it('does not charge waits on a dependency to the budget, only the message own time', async () => {
    await produce(['waits-on-provider', 'waits-on-itself', 'after']);
    const written: string[] = [];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 2_000));
    const c = consumer<string>({
      messageBudgetMs: 1_000,
      process: async (m) => {
        const value = m.value!.toString();
        // The same 2 s: declared as a dependency wait (a provider call), or not.
        if (value === 'waits-on-provider') await dependencyWait(pause);
        if (value === 'waits-on-itself') await pause();
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
    await until(() => written.includes('after'), 30_000, 'the last message');
    expect(written).toEqual(['waits-on-provider', 'after']);
    const [record] = await readDlq(1);
    expect(record).toMatchObject({ reason: 'processing_timeout', origin: { offset: '1' } });
  });

  it('DLQs the outputs a sink cannot write for good by their input and commits past them', async () => {
    await produce(['x', 'too-big', 'y']);
    const written: string[] = [];
    const c = consumer<string>({
      process: async (m) => ok(m.value!.toString()),
      sink: {
        async write(outputs) {
          const refused = outputs.filter((o) => o.value === 'too-big');
          written.push(...outputs.filter((o) => o.value !== 'too-big').map((o) => o.value));
          return {
            rejected: refused.map((o) => ({
              offset: o.message.offset,
              reason: 'record_too_large',
              detail: 'output over the limit',
            })),
          };
        },
      },
    });
    await c.start();
    const [record] = await readDlq(1);
    expect(record).toMatchObject({ reason: 'record_too_large', step: 'sink', origin: { offset: '1' } });
    expect(written).toEqual(['x', 'y']);
    await until(async () => (await committed()) === 3, 10_000, 'commit past the refused input');
  });

  it('keeps its partition through a message longer than the session timeout (heartbeats while it runs)', async () => {
    await produce(['slow', 'next']);
    const processed: string[] = [];
    const c = consumer<string>({
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
      messageBudgetMs: 60_000,
      process: async (m) => {
        const value = m.value!.toString();
        // Longer than the session: without heartbeats the group evicts the consumer and the
        // message is processed a second time after the rejoin.
        if (value === 'slow') await new Promise((resolve) => setTimeout(resolve, 9_000));
        processed.push(value);
        return ok(value);
      },
    });
    await c.start();
    await until(async () => (await committed()) === 2, 60_000, 'both messages committed');
    expect(processed).toEqual(['slow', 'next']);
  }, 90_000);

  it('closes promptly on shutdown while a message hangs, committing what came before it', async () => {
    await produce(['one', 'two', 'stuck', 'after']);
    const started: string[] = [];
    const c = consumer<string>({
      messageBudgetMs: 600_000,
      process: async (m) => {
        const value = m.value!.toString();
        started.push(value);
        if (value === 'stuck') await new Promise(() => undefined);
        return ok(value);
      },
    });
    await c.start();
    await until(() => started.includes('stuck'), 30_000, 'the hanging message to start');
    await c.close();
    // The hanging message is left for the next owner; what came before it is committed.
    expect(await committed()).toBe(2);
    expect(started).not.toContain('after');
  });

  it('DLQs a message that froze its worker twice once the next consumer receives it', async () => {
    await produce(['p0', 'p1', 'poison', 'p3', 'p4']);
    const redis = new Redis(settings.redisUrl);
    const outputKey = `${prefix}out`;
    const startsKey = `${prefix}poison-starts`;
    const journalPrefix = `${prefix}journal`;
    const fixture = fileURLToPath(new URL('./testing/poison-consumer.fixture.ts', import.meta.url));
    const env = {
      ...process.env,
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      REDIS_URL: settings.redisUrl,
      TOPIC: topics.feedbackRaw,
      DLQ_TOPIC: topics.dlq,
      GROUP: `${prefix}group`,
      OUTPUT_KEY: outputKey,
      STARTS_KEY: startsKey,
      JOURNAL_PREFIX: journalPrefix,
      MAX_STARTS: '1',
    };
    const starts = async () => Number((await redis.get(startsKey)) ?? 0);
    const runUntilFrozen = async (expectedStarts: number) => {
      const child = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      try {
        await until(async () => (await starts()) >= expectedStarts, 60_000, `poison start ${expectedStarts}`);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
    };
    try {
      // First delivery: the batch runs unwatched and freezes. Second: watched, freezes again.
      await runUntilFrozen(1);
      await runUntilFrozen(2);
      const third = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'ignore', 'inherit'] });
      const exited = new Promise((resolve) => third.once('exit', resolve));
      try {
        await until(async () => (await committed()) === 5, 60_000, 'the third consumer to commit everything');
      } finally {
        third.kill('SIGTERM');
        await exited;
      }
      const [record] = await readDlq(1);
      expect(record).toMatchObject({ reason: 'processing_timeout', origin: { offset: '2' } });
      expect(Buffer.from(record!.original.value!, 'base64').toString()).toBe('poison');
      // The third consumer did not run it again.
      expect(await starts()).toBe(2);
      expect(new Set(await redis.lrange(outputKey, 0, -1))).toEqual(new Set(['p0', 'p1', 'p3', 'p4']));
    } finally {
      const journalKeys = await redis.keys(`${journalPrefix}:*`);
      await redis.del(outputKey, startsKey, ...journalKeys);
      redis.disconnect();
    }
  }, 240_000);

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
