/** Topic names and the settings each topic is created with. One place, so every service agrees. */

export const TOPICS = {
  feedbackRaw: 'feedback.raw.v1',
  feedbackEnriched: 'feedback.enriched.v1',
  customers: 'customers.v1',
  alerts: 'feedback.alerts.v1',
  rollups: 'rollups.v1',
  dlq: 'feedback.dlq.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSettings {
  readonly numPartitions: number;
  /** Broker-side configuration entries (`cleanup.policy`, `retention.ms`, …). */
  readonly config: Readonly<Record<string, string>>;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const MIB = 1024 * 1024;

/**
 * The most bytes one record may take on each topic (`max.message.bytes`, counted as the broker counts
 * it: key, value, headers and batch overhead). Set explicitly on every topic: ingest refuses a larger
 * record with 413 before producing, the producer never sends one, and a worker DLQs an input whose
 * output would exceed it (`record_too_large`). The DLQ holds a raw record base64-encoded plus context.
 */
export const MAX_RECORD_BYTES: Readonly<Record<TopicName, number>> = {
  'feedback.raw.v1': 4 * MIB,
  'feedback.enriched.v1': 4 * MIB,
  'customers.v1': 1 * MIB,
  'feedback.alerts.v1': 1 * MIB,
  'rollups.v1': 1 * MIB,
  'feedback.dlq.v1': 8 * MIB,
};

/**
 * Partition counts bound how many instances of a consumer group can share the work, so they are
 * generous; retention keeps raw and enriched events long enough to replay after an incident.
 */
export const TOPIC_SETTINGS: Readonly<Record<TopicName, TopicSettings>> = {
  'feedback.raw.v1': {
    numPartitions: 12,
    config: {
      'cleanup.policy': 'delete',
      // Original bodies (personal data): kept only as long as `RAW_RETENTION_HOURS` (see topicConfig).
      'retention.ms': String(72 * HOUR_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['feedback.raw.v1']),
    },
  },
  'feedback.enriched.v1': {
    numPartitions: 12,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(14 * DAY_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['feedback.enriched.v1']),
    },
  },
  'customers.v1': {
    numPartitions: 6,
    config: {
      'cleanup.policy': 'compact',
      'min.cleanable.dirty.ratio': '0.1',
      'delete.retention.ms': String(DAY_MS),
      'segment.ms': String(DAY_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['customers.v1']),
    },
  },
  'feedback.alerts.v1': {
    numPartitions: 3,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(30 * DAY_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['feedback.alerts.v1']),
    },
  },
  'rollups.v1': {
    numPartitions: 6,
    config: {
      'cleanup.policy': 'delete',
      'retention.ms': String(7 * DAY_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['rollups.v1']),
    },
  },
  'feedback.dlq.v1': {
    numPartitions: 3,
    config: {
      'cleanup.policy': 'delete',
      // Dead letters carry the original body: `DLQ_RETENTION_DAYS` (see topicConfig).
      'retention.ms': String(14 * DAY_MS),
      'max.message.bytes': String(MAX_RECORD_BYTES['feedback.dlq.v1']),
    },
  },
};

/**
 * Tests and parallel deployments prefix every topic (`t_abc.feedback.raw.v1`) so they never share
 * data. The prefix is part of the name; settings stay those of the base topic.
 */
export function topicNames(prefix = ''): { readonly [K in keyof typeof TOPICS]: string } {
  const names = {} as Record<keyof typeof TOPICS, string>;
  for (const [key, name] of Object.entries(TOPICS) as [keyof typeof TOPICS, TopicName][]) {
    names[key] = `${prefix}${name}`;
  }
  return Object.freeze(names);
}

export function settingsFor(topic: string): TopicSettings {
  for (const name of Object.values(TOPICS)) {
    // Exact, or with a prefix (`t-1.feedback.raw.v1`).
    if (topic.endsWith(name)) return TOPIC_SETTINGS[name];
  }
  throw new Error(`no settings for topic ${topic}`);
}

/**
 * How a deployment wants its topics kept: replication (a 202 survives one broker failure with
 * factor 3 and `min.insync.replicas` 2, the production defaults; a one-broker local stack uses 1/1)
 * and how long the topics holding original bodies keep them.
 */
export interface TopicPolicy {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  /** `feedback.raw.v1` retention. */
  readonly rawRetentionHours: number;
  /** `feedback.dlq.v1` retention. */
  readonly dlqRetentionDays: number;
}

export const PRODUCTION_TOPIC_POLICY: TopicPolicy = Object.freeze({
  replicationFactor: 3,
  minInsyncReplicas: 2,
  rawRetentionHours: 72,
  dlqRetentionDays: 14,
});

/** Broker-side configuration of one topic under a policy: the base settings, retention and min ISR applied. */
export function topicConfig(topic: string, policy: TopicPolicy): Record<string, string> {
  const config: Record<string, string> = {
    ...settingsFor(topic).config,
    'min.insync.replicas': String(policy.minInsyncReplicas),
  };
  if (topic.endsWith(TOPICS.feedbackRaw)) config['retention.ms'] = String(policy.rawRetentionHours * HOUR_MS);
  if (topic.endsWith(TOPICS.dlq)) config['retention.ms'] = String(policy.dlqRetentionDays * DAY_MS);
  return config;
}
