import { settingsFor, TOPICS, topicNames } from '@vocflow/contracts';
import type { Kafka } from 'kafkajs';

export interface EnsureTopicsOptions {
  /** Prefix every topic name (tests, several deployments on one cluster). */
  readonly prefix?: string;
  /** Override partition counts (small test topics). */
  readonly numPartitions?: number;
  readonly replicationFactor?: number;
  /** Only these base topics (default: all). */
  readonly only?: readonly string[];
}

/**
 * Creates vocflow's topics with their settings, if missing, and waits until every partition has a
 * leader: on KRaft a consumer subscribing to a topic without leaders can fail.
 * Returns the names that were created.
 */
export async function ensureTopics(kafka: Kafka, options: EnsureTopicsOptions = {}): Promise<string[]> {
  const prefix = options.prefix ?? '';
  const names = topicNames(prefix);
  const wanted = Object.values(TOPICS)
    .filter((base) => options.only === undefined || options.only.includes(base))
    .map((base) => names[(Object.keys(TOPICS) as (keyof typeof TOPICS)[]).find((k) => TOPICS[k] === base)!]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => {
          const settings = settingsFor(topic);
          return {
            topic,
            numPartitions: options.numPartitions ?? settings.numPartitions,
            replicationFactor: options.replicationFactor ?? -1,
            configEntries: Object.entries(settings.config).map(([name, value]) => ({ name, value })),
          };
        }),
      });
    }
    await waitForLeaders(kafka, wanted);
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Polls metadata until every partition of the topics has a leader. */
export async function waitForLeaders(
  kafka: Kafka,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready = metadata.topics.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader !== undefined && p.leader >= 0),
      );
      if (ready) return;
      if (Date.now() > deadline)
        throw new Error(`topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
