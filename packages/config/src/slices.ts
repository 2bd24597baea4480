import type { z } from 'zod';
import {
  envBoolean,
  envBrokers,
  envInt,
  envLogLevel,
  envOptionalString,
  envString,
  envUrl,
  envUrlWithScheme,
} from './env.ts';

/**
 * Environment variables every service shares, and the nested slices they become. A service's schema
 * spreads the `*Env` shapes it needs and maps them with the `to*` functions.
 */

export const kafkaEnv = {
  KAFKA_BROKERS: envBrokers(['127.0.0.1:19092']),
  KAFKA_CLIENT_ID: envOptionalString(),
  /** Prefix for every topic and consumer group (tests, several deployments on one cluster). */
  VOCFLOW_TOPIC_PREFIX: envString(''),
};
export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string | undefined;
  readonly topicPrefix: string;
}
export const toKafkaConfig = (env: z.output<z.ZodObject<typeof kafkaEnv>>): KafkaConfig => ({
  brokers: env.KAFKA_BROKERS,
  clientId: env.KAFKA_CLIENT_ID,
  topicPrefix: env.VOCFLOW_TOPIC_PREFIX,
});

/**
 * How topics are created and kept (`vocflow topics create`, and aggregation when a topic is missing).
 * Production defaults: replication 3 with 2 in-sync replicas, so an acknowledged write (202) survives
 * one broker failure; the local one-broker stack sets 1/1 in its environment.
 */
export const topicPolicyEnv = {
  KAFKA_REPLICATION_FACTOR: envInt(3, { min: 1, max: 16 }),
  KAFKA_MIN_INSYNC_REPLICAS: envInt(2, { min: 1, max: 16 }),
  /** How long `feedback.raw.v1` keeps original bodies (personal data). */
  RAW_RETENTION_HOURS: envInt(72, { min: 1, max: 24 * 365 }),
  /** How long `feedback.dlq.v1` keeps dead letters (they carry the original body). */
  DLQ_RETENTION_DAYS: envInt(14, { min: 1, max: 365 }),
};
export interface TopicPolicyConfig {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly rawRetentionHours: number;
  readonly dlqRetentionDays: number;
}
export const toTopicPolicyConfig = (
  env: z.output<z.ZodObject<typeof topicPolicyEnv>>,
): TopicPolicyConfig => ({
  replicationFactor: env.KAFKA_REPLICATION_FACTOR,
  minInsyncReplicas: env.KAFKA_MIN_INSYNC_REPLICAS,
  rawRetentionHours: env.RAW_RETENTION_HOURS,
  dlqRetentionDays: env.DLQ_RETENTION_DAYS,
});

/** The Kafka runner of the workers (packages/kafka/src/consumer.ts). */
export const runnerEnv = {
  /**
   * Time one message may take (all its attempts): past it the message goes to the DLQ as
   * `processing_timeout` and its partition moves on.
   */
  MESSAGE_BUDGET_MS: envInt(10_000, { min: 100, max: 600_000 }),
  /**
   * A message that crashed or froze its worker this many times under watch (recorded in Redis before
   * it runs) goes to the DLQ as `processing_timeout` on its next delivery, without running again.
   */
  MESSAGE_MAX_STARTS: envInt(2, { min: 1, max: 100 }),
  /** Longest the broker holds a fetch while nothing arrives: an idle consumer fetches this often. */
  FETCH_MAX_WAIT_MS: envInt(1_000, { min: 10, max: 10_000 }),
  /**
   * After a fetch that brought fewer than 1,000 records, the next one waits until this long after it
   * began, so batches under steady load hold what arrived meanwhile (0: no wait).
   */
  FETCH_LINGER_MS: envInt(20, { min: 0, max: 1_000 }),
};
export interface RunnerConfig {
  readonly messageBudgetMs: number;
  readonly maxStarts: number;
  readonly fetchMaxWaitMs: number;
  readonly lingerMs: number;
}
export const toRunnerConfig = (env: z.output<z.ZodObject<typeof runnerEnv>>): RunnerConfig => ({
  messageBudgetMs: env.MESSAGE_BUDGET_MS,
  maxStarts: env.MESSAGE_MAX_STARTS,
  fetchMaxWaitMs: env.FETCH_MAX_WAIT_MS,
  lingerMs: env.FETCH_LINGER_MS,
});

export const redisEnv = {
  REDIS_URL: envUrlWithScheme('redis://127.0.0.1:6379', ['redis:', 'rediss:']),
  /** Prefix for every Redis key this deployment writes. */
  REDIS_KEY_PREFIX: envString('vf'),
  /** Connect to a Redis Cluster (REDIS_URL names one node) instead of a single server. */
  REDIS_CLUSTER: envBoolean(false),
  /**
   * A command not answered within this time fails (a retryable error: the partition pauses and the
   * batch is retried) instead of hanging until the consumer group evicts the worker.
   */
  REDIS_COMMAND_TIMEOUT_MS: envInt(5_000, { min: 100, max: 600_000 }),
};
export interface RedisConfig {
  readonly url: string;
  readonly keyPrefix: string;
  readonly cluster: boolean;
  /** Per-command timeout (ms). */
  readonly commandTimeoutMs: number;
}
export const toRedisConfig = (env: z.output<z.ZodObject<typeof redisEnv>>): RedisConfig => ({
  url: env.REDIS_URL,
  keyPrefix: env.REDIS_KEY_PREFIX,
  cluster: env.REDIS_CLUSTER,
  commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
});

export const s3Env = {
  S3_ENDPOINT: envUrl(),
  S3_BUCKET: envString('vocflow'),
  S3_REGION: envString('us-east-1'),
  S3_ACCESS_KEY_ID: envOptionalString(),
  S3_SECRET_ACCESS_KEY: envOptionalString(),
  S3_FORCE_PATH_STYLE: envBoolean(true),
  /** Prefix under the bucket for everything this deployment writes. */
  S3_PREFIX: envString(''),
};
export interface S3Config {
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string | undefined;
  readonly secretAccessKey: string | undefined;
  readonly forcePathStyle: boolean;
  readonly prefix: string;
}
export const toS3Config = (env: z.output<z.ZodObject<typeof s3Env>>): S3Config => ({
  endpoint: env.S3_ENDPOINT,
  bucket: env.S3_BUCKET,
  region: env.S3_REGION,
  accessKeyId: env.S3_ACCESS_KEY_ID,
  secretAccessKey: env.S3_SECRET_ACCESS_KEY,
  forcePathStyle: env.S3_FORCE_PATH_STYLE,
  prefix: env.S3_PREFIX,
});

export const logEnv = {
  LOG_LEVEL: envLogLevel(),
};
