import { settingsFor, TOPICS, type TopicPolicy, topicConfig, topicNames } from '@vocflow/contracts';
import type { ConfigResourceTypes, Kafka } from 'kafkajs';

/** `ConfigResourceTypes.TOPIC`: kafkajs is CommonJS and Node's ESM loader does not see that enum as a named export. */
export const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

export interface EnsureTopicsOptions {
  /** Prefix every topic name (tests, several deployments on one cluster). */
  readonly prefix?: string;
  /** Override partition counts (small test topics). */
  readonly numPartitions?: number;
  /**
   * Replication, `min.insync.replicas` and retention (see `TopicPolicy`). Without one, topics get the
   * broker's default replication and the base settings (tests, benchmarks).
   */
  readonly policy?: TopicPolicy;
  /** Only these base topics (default: all). */
  readonly only?: readonly string[];
}

/** What `alignTopics` did to the existing topics. */
export interface AlignedTopics {
  readonly created: string[];
  /** Existing topics whose configuration was set to the policy's (retention, min ISR, …). */
  readonly updated: string[];
}

/** A policy the cluster cannot honour is refused with the reason, before anything is created. */
export function checkTopicPolicy(policy: TopicPolicy, brokers: number): void {
  if (policy.minInsyncReplicas > policy.replicationFactor)
    throw new Error(
      `KAFKA_MIN_INSYNC_REPLICAS=${policy.minInsyncReplicas} exceeds KAFKA_REPLICATION_FACTOR=${policy.replicationFactor}: every acks=all write would fail`,
    );
  if (policy.replicationFactor > brokers)
    throw new Error(
      `KAFKA_REPLICATION_FACTOR=${policy.replicationFactor} but the cluster has ${brokers} broker(s); a one-broker development cluster needs KAFKA_REPLICATION_FACTOR=1 KAFKA_MIN_INSYNC_REPLICAS=1`,
    );
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
  const policy = options.policy;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      if (policy) checkTopicPolicy(policy, (await admin.describeCluster()).brokers.length);
      await admin.createTopics({
        // kafkajs' own wait fails when the new topic is not yet known to the broker it asks; ours below polls.
        waitForLeaders: false,
        topics: missing.map((topic) => {
          const settings = settingsFor(topic);
          const config = policy ? topicConfig(topic, policy) : settings.config;
          return {
            topic,
            numPartitions: options.numPartitions ?? settings.numPartitions,
            replicationFactor: policy?.replicationFactor ?? -1,
            configEntries: Object.entries(config).map(([name, value]) => ({ name, value })),
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

const NOT_READY_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
const isNotReadyYet = (error: unknown): boolean =>
  NOT_READY_YET.has(String((error as { type?: unknown } | null)?.type));

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
      // A topic just created may be unknown to the broker answering for a moment (more so on a busy
      // machine): that is "not ready yet", not a failure.
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] }).catch((error: unknown) => {
        if (isNotReadyYet(error)) return undefined;
        throw error;
      });
      const ready = metadata?.topics.every(
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

/**
 * `ensureTopics`, then sets the policy's configuration (retention, `min.insync.replicas`, the base
 * settings) on topics that already existed, so shortening `RAW_RETENTION_HOURS` reaches a running
 * cluster. A topic with fewer replicas than the policy's `min.insync.replicas` is refused with the
 * reason rather than made unwritable. (Kafka does not change a topic's replication factor through
 * configuration; that is a partition reassignment, see docs/privacy.md.)
 */
export async function alignTopics(
  kafka: Kafka,
  policy: TopicPolicy,
  options: Omit<EnsureTopicsOptions, 'policy'> = {},
): Promise<AlignedTopics> {
  const created = await ensureTopics(kafka, { ...options, policy });
  const names = topicNames(options.prefix ?? '');
  const existing = Object.values(names).filter(
    (topic) =>
      !created.includes(topic) && (options.only === undefined || options.only.some((b) => topic.endsWith(b))),
  );
  if (existing.length === 0) return { created, updated: [] };
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: existing });
    for (const topic of metadata.topics) {
      const replicas = Math.min(...topic.partitions.map((p) => p.replicas.length));
      if (replicas < policy.minInsyncReplicas)
        throw new Error(
          `topic ${topic.name} has ${replicas} replica(s), fewer than KAFKA_MIN_INSYNC_REPLICAS=${policy.minInsyncReplicas}; reassign its partitions first`,
        );
    }
    await admin.alterConfigs({
      validateOnly: false,
      resources: existing.map((topic) => ({
        type: TOPIC_RESOURCE,
        name: topic,
        configEntries: Object.entries(topicConfig(topic, policy)).map(([name, value]) => ({ name, value })),
      })),
    });
    return { created, updated: existing };
  } finally {
    await admin.disconnect();
  }
}
