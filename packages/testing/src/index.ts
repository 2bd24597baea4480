/**
 * Helpers that keep integration and end-to-end tests isolated on shared services: every test gets
 * its own namespace, used as the prefix of its topics, Redis keys and S3 object keys, and cleans
 * up after itself.
 */
import { randomBytes } from 'node:crypto';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { TOPIC_SETTINGS, TOPICS, type TopicName, topicNames } from '@vocflow/contracts';
import { createS3Client, type S3Settings, type StackSettings, settingsFromEnv } from '@vocflow/stack';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';

/** The settings the global setup provided (or, outside vitest workers, those of the environment). */
export function stackSettings(): StackSettings {
  let provided: StackSettings | undefined;
  try {
    provided = inject('stack');
  } catch {
    provided = undefined;
  }
  const settings = provided ?? settingsFromEnv(process.env);
  if (!settings) {
    throw new Error(
      'no stack settings: run under the vitest integration/e2e projects or set KAFKA_BROKERS etc.',
    );
  }
  return settings;
}

/**
 * A unique prefix for one test: `t-<name>-<random>.`. Valid in topic names (letters, digits, `.`,
 * `_`, `-`), Redis keys and S3 keys. `topicNames(prefix)` gives the test's topics.
 */
export function testNamespace(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'test';
  return `t-${slug}-${randomBytes(4).toString('hex')}.`;
}

function admin(kafkaBrokers: readonly string[]) {
  return new Kafka({
    clientId: 'vocflow-testing',
    brokers: [...kafkaBrokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  }).admin();
}

export interface CreateTopicsOptions {
  /** Overrides every topic's partition count (tests run faster on 1–3 partitions). */
  readonly numPartitions?: number;
  /** Only these base topics (default: all of `TOPICS`). */
  readonly topics?: readonly TopicName[];
}

/** Polls metadata until every partition of the topics has a leader (a topic not known yet is not ready). */
export async function waitForTopicLeaders(
  client: ReturnType<typeof admin>,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await client.fetchTopicMetadata({ topics: [...topics] }).catch((error: unknown) => {
      const type = String((error as { type?: unknown } | null)?.type);
      if (type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE') return undefined;
      throw error;
    });
    const ready = metadata?.topics.every(
      (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader !== undefined && p.leader >= 0),
    );
    if (ready) return;
    if (Date.now() > deadline)
      throw new Error(`topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Creates the prefixed version of every contract topic with its contract settings and waits for the
 * partition leaders, so consumers can subscribe at once. Returns the names (`topicNames(prefix)`).
 */
export async function createTopicsFor(
  prefix: string,
  kafkaBrokers: readonly string[],
  options: CreateTopicsOptions = {},
): Promise<ReturnType<typeof topicNames>> {
  const wanted = options.topics ?? (Object.values(TOPICS) as TopicName[]);
  const client = admin(kafkaBrokers);
  await client.connect();
  try {
    await client.createTopics({
      // kafkajs' own wait fails when the new topic is not yet known to the broker it asks (seen on a
      // busy machine): wait for the leaders here, a condition polled until a deadline.
      waitForLeaders: false,
      timeout: 30_000,
      topics: wanted.map((topic) => {
        const settings = TOPIC_SETTINGS[topic];
        return {
          topic: `${prefix}${topic}`,
          numPartitions: options.numPartitions ?? settings.numPartitions,
          configEntries: Object.entries(settings.config).map(([name, value]) => ({ name, value })),
        };
      }),
    });
    await waitForTopicLeaders(
      client,
      wanted.map((topic) => `${prefix}${topic}`),
    );
  } finally {
    await client.disconnect();
  }
  return topicNames(prefix);
}

/** Deletes every topic whose name starts with `prefix`. */
export async function deleteTopics(prefix: string, kafkaBrokers: readonly string[]): Promise<string[]> {
  if (prefix.length === 0) throw new Error('deleteTopics needs a non-empty prefix');
  const client = admin(kafkaBrokers);
  await client.connect();
  try {
    const topics = (await client.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await client.deleteTopics({ topics, timeout: 30_000 });
    return topics;
  } finally {
    await client.disconnect();
  }
}

/** Escapes Redis glob characters so a prefix matches only itself in SCAN MATCH. */
export function redisGlobEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Removes every Redis key that starts with `prefix` (SCAN + UNLINK); returns how many. */
export async function cleanupRedis(redisUrl: string, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new Error('cleanupRedis needs a non-empty prefix');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let removed = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisGlobEscape(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) removed += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}

/** Deletes every object under `prefix` in the settings' bucket; returns how many. */
export async function cleanupS3(settings: S3Settings, prefix: string): Promise<number> {
  if (prefix.length === 0) throw new Error('cleanupS3 needs a non-empty prefix');
  const s3 = createS3Client(settings);
  let removed = 0;
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? []).flatMap((item) => (item.Key ? [{ Key: item.Key }] : []));
      if (keys.length > 0) {
        await s3.send(
          new DeleteObjectsCommand({ Bucket: settings.bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        removed += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
  return removed;
}

/** Everything a test's namespace owns, removed at once (topics, Redis keys, S3 objects). */
export async function cleanupNamespace(
  prefix: string,
  settings: StackSettings = stackSettings(),
): Promise<void> {
  await Promise.all([
    deleteTopics(prefix, settings.kafkaBrokers),
    cleanupRedis(settings.redisUrl, prefix),
    cleanupS3(settings.s3, prefix),
  ]);
}
