import {
  type Env,
  envBoolean,
  envInt,
  envList,
  envPort,
  kafkaEnv,
  logEnv,
  parseConfig,
  redisEnv,
  runnerEnv,
  s3Env,
  toKafkaConfig,
  topicPolicyEnv,
  toRedisConfig,
  toRunnerConfig,
  toS3Config,
  toTopicPolicyConfig,
} from '@vocflow/config';
import { DEFAULT_DAY_RETENTION_DAYS, DEFAULT_HOUR_RETENTION_DAYS, DEFAULT_SHARDS } from '@vocflow/rollups';
import { z } from 'zod';

export const AggregationEnv = z.object({
  ...kafkaEnv,
  ...runnerEnv,
  ...redisEnv,
  ...s3Env,
  ...logEnv,
  ...topicPolicyEnv,
  AGGREGATION_OPS_PORT: envPort(8083),
  /**
   * Hash-slot shards the rollups are spread over (Redis Cluster): as many as feedback.enriched.v1 has
   * partitions, so each partition's consumer is the only writer of its shard. Fixed for the life of the data.
   */
  ROLLUP_SHARDS: envInt(DEFAULT_SHARDS, { min: 1, max: 1024 }),
  /** Latest feedback summaries kept per customer. */
  LATEST_FEEDBACK_PER_CUSTOMER: envInt(20, { min: 1, max: 1000 }),
  /** Newest comments kept per verbatim list (overall or segment × aspect × label); the API lists as many. */
  VERBATIMS_PER_SCOPE: envInt(200, { min: 1, max: 10_000 }),
  /** Days an hour bucket is kept after its hour (Redis expires it; older hours form no buckets). */
  ROLLUP_HOUR_RETENTION_DAYS: envInt(DEFAULT_HOUR_RETENTION_DAYS, { min: 1, max: 36_500 }),
  /** Days a day bucket is kept after its day; also how far back the feeds manifest lists days. */
  ROLLUP_DAY_RETENTION_DAYS: envInt(DEFAULT_DAY_RETENTION_DAYS, { min: 1, max: 36_500 }),
  /** Most recent alerts kept for the API. */
  RECENT_ALERTS_KEPT: envInt(200, { min: 1, max: 100_000 }),
  /** Partitions processed at the same time by one instance. */
  AGGREGATION_CONCURRENCY: envInt(32, { min: 1, max: 64 }),
  /** Run the S3 archive consumer in this process. */
  ARCHIVE_ENABLED: envBoolean(true),
  /** Archive objects cover aligned windows of this many offsets of one partition. */
  ARCHIVE_WINDOW_OFFSETS: envInt(5_000, { min: 1, max: 10_000_000 }),
  /** Flush a window early (as a partial object, rewritten later) when what it buffered since its last write reaches this size. */
  ARCHIVE_MAX_BYTES: envInt(16 * 1024 * 1024, { min: 1024, max: 1024 * 1024 * 1024 }),
  /** … or when its oldest event not yet written is this old. */
  ARCHIVE_MAX_AGE_MS: envInt(30_000, { min: 10, max: 3_600_000 }),
  /** Write the marketing feeds in this process. */
  FEEDS_ENABLED: envBoolean(true),
  /** How often days changed since the last run are (re)written. */
  FEEDS_INTERVAL_MS: envInt(60_000, { min: 100, max: 86_400_000 }),
  /** Publish rollup changes to `rollups.v1`. */
  ROLLUP_CHANGES_ENABLED: envBoolean(true),
  /** Scopes whose changes are published (`customer` adds one record per active customer per interval). */
  ROLLUP_CHANGES_SCOPES: envList(['overall', 'segment']).pipe(
    z.array(z.enum(['overall', 'segment', 'customer'])),
  ),
  /** Changes are coalesced and published at most this often. */
  ROLLUP_CHANGES_INTERVAL_MS: envInt(5_000, { min: 10, max: 3_600_000 }),
  /** An erasure job an instance took and has not finished for this long is taken over (it crashed). */
  ERASURE_CLAIM_IDLE_MS: envInt(60_000, { min: 100, max: 86_400_000 }),
  /** How long one wait for a new erasure job lasts (bounds shutdown). */
  ERASURE_BLOCK_MS: envInt(2_000, { min: 10, max: 60_000 }),
  /** A pause after each erasure step: 0 in production; drills and tests widen the window to crash in. */
  ERASURE_STEP_DELAY_MS: envInt(0, { min: 0, max: 600_000 }),
  /** Erasure audit records kept in Redis (`{<prefix>:erasure}:audit`, trimmed to about this many). */
  ERASURE_AUDIT_KEPT: envInt(100_000, { min: 100, max: 10_000_000 }),
});
export type AggregationEnv = z.output<typeof AggregationEnv>;

export function loadConfig(env: Env) {
  const e = parseConfig('aggregation', AggregationEnv, env);
  return Object.freeze({
    kafka: toKafkaConfig(e),
    runner: toRunnerConfig(e),
    redis: toRedisConfig(e),
    s3: toS3Config(e),
    topics: toTopicPolicyConfig(e),
    logLevel: e.LOG_LEVEL,
    opsPort: e.AGGREGATION_OPS_PORT,
    rollups: {
      shards: e.ROLLUP_SHARDS,
      latestPerCustomer: e.LATEST_FEEDBACK_PER_CUSTOMER,
      verbatimsPerScope: e.VERBATIMS_PER_SCOPE,
      hourRetentionDays: e.ROLLUP_HOUR_RETENTION_DAYS,
      dayRetentionDays: e.ROLLUP_DAY_RETENTION_DAYS,
      alertsKept: e.RECENT_ALERTS_KEPT,
      concurrency: e.AGGREGATION_CONCURRENCY,
    },
    archive: {
      enabled: e.ARCHIVE_ENABLED,
      windowOffsets: e.ARCHIVE_WINDOW_OFFSETS,
      maxBytes: e.ARCHIVE_MAX_BYTES,
      maxAgeMs: e.ARCHIVE_MAX_AGE_MS,
    },
    feeds: {
      enabled: e.FEEDS_ENABLED,
      intervalMs: e.FEEDS_INTERVAL_MS,
      retentionDays: e.ROLLUP_DAY_RETENTION_DAYS,
    },
    erasure: {
      claimIdleMs: e.ERASURE_CLAIM_IDLE_MS,
      blockMs: e.ERASURE_BLOCK_MS,
      stepDelayMs: e.ERASURE_STEP_DELAY_MS,
      auditKept: e.ERASURE_AUDIT_KEPT,
    },
    changes: {
      enabled: e.ROLLUP_CHANGES_ENABLED,
      scopes: e.ROLLUP_CHANGES_SCOPES,
      intervalMs: e.ROLLUP_CHANGES_INTERVAL_MS,
    },
  });
}
export type AggregationConfig = ReturnType<typeof loadConfig>;
