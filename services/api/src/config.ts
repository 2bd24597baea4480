import {
  type Env,
  envInt,
  envPort,
  envString,
  kafkaEnv,
  logEnv,
  parseConfig,
  redisEnv,
  s3Env,
  toKafkaConfig,
  toRedisConfig,
  toS3Config,
} from '@vocflow/config';
import { apiKeysEnv, toApiKeyLists } from '@vocflow/http';
import { DEFAULT_SHARDS } from '@vocflow/rollups';
import { z } from 'zod';

export const ApiEnv = z
  .object({
    ...kafkaEnv,
    ...redisEnv,
    ...s3Env,
    ...logEnv,
    API_PORT: envPort(8081),
    API_HOST: envString('0.0.0.0'),
    /** Bearer keys by scope (comma-separated; several at once for rotation); see @vocflow/http. */
    ...apiKeysEnv,
    /** `Cache-Control` max-age of /v1 answers, seconds. */
    API_CACHE_MAX_AGE_SECONDS: envInt(5, { min: 0, max: 3600 }),
    /** Lifetime of the presigned feed URLs, seconds. */
    API_FEED_URL_TTL_SECONDS: envInt(900, { min: 60, max: 7 * 24 * 3600 }),
    /** How often the Kafka ingest/DLQ counts are refreshed in the background, ms (requests never wait on Kafka). */
    API_PIPELINE_COUNTS_CACHE_MS: envInt(5000, { min: 100, max: 600_000 }),
    /** A refresh Kafka has not answered within this many ms makes the counts null until one succeeds. */
    API_PIPELINE_COUNTS_TIMEOUT_MS: envInt(2000, { min: 100, max: 60_000 }),
    API_OVERVIEW_CACHE_MS: envInt(1000, { min: 0, max: 60_000 }),
    /** Newest comments /v1/verbatims lists per scope: set it as aggregation's VERBATIMS_PER_SCOPE. */
    VERBATIMS_PER_SCOPE: envInt(200, { min: 1, max: 10_000 }),
    /** Redis shards the rollups are spread over: must be aggregation's ROLLUP_SHARDS, or the api reads the wrong keys. */
    ROLLUP_SHARDS: envInt(DEFAULT_SHARDS, { min: 1, max: 1024 }),
  })
  .superRefine((env, ctx) => {
    if (env.QUERY_API_KEYS.length + env.QUERY_API_KEYS_PII.length + env.API_KEYS.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['QUERY_API_KEYS'],
        message:
          'at least one key that can read is required (QUERY_API_KEYS, QUERY_API_KEYS_PII or API_KEYS)',
      });
  })
  .transform((env) => ({
    http: { port: env.API_PORT, host: env.API_HOST },
    apiKeys: toApiKeyLists(env),
    cacheMaxAgeSeconds: env.API_CACHE_MAX_AGE_SECONDS,
    feedUrlTtlSeconds: env.API_FEED_URL_TTL_SECONDS,
    pipelineCountsCacheMs: env.API_PIPELINE_COUNTS_CACHE_MS,
    pipelineCountsTimeoutMs: env.API_PIPELINE_COUNTS_TIMEOUT_MS,
    overviewCacheMs: env.API_OVERVIEW_CACHE_MS,
    verbatimsPerScope: env.VERBATIMS_PER_SCOPE,
    rollupShards: env.ROLLUP_SHARDS,
    kafka: toKafkaConfig(env),
    redis: toRedisConfig(env),
    s3: toS3Config(env),
    logLevel: env.LOG_LEVEL,
  }));
export type ApiConfig = z.output<typeof ApiEnv>;

export function loadConfig(env: Env): Readonly<ApiConfig> {
  return parseConfig('api', ApiEnv, env);
}
