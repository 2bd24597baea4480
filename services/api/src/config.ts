import {
  type Env,
  envInt,
  envList,
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
import { z } from 'zod';

export const ApiEnv = z
  .object({
    ...kafkaEnv,
    ...redisEnv,
    ...s3Env,
    ...logEnv,
    API_PORT: envPort(8081),
    API_HOST: envString('0.0.0.0'),
    /** Bearer keys accepted on /v1 (comma-separated; several at once for rotation). */
    API_KEYS: envList([]).refine((keys) => keys.length > 0, 'at least one API key is required'),
    /** `Cache-Control` max-age of /v1 answers, seconds. */
    API_CACHE_MAX_AGE_SECONDS: envInt(5, { min: 0, max: 3600 }),
    /** Lifetime of the presigned feed URLs, seconds. */
    API_FEED_URL_TTL_SECONDS: envInt(900, { min: 60, max: 7 * 24 * 3600 }),
    /** How long the Kafka ingest/DLQ counts are reused, ms. */
    API_PIPELINE_COUNTS_CACHE_MS: envInt(5000, { min: 0 }),
  })
  .transform((env) => ({
    http: { port: env.API_PORT, host: env.API_HOST },
    apiKeys: env.API_KEYS,
    cacheMaxAgeSeconds: env.API_CACHE_MAX_AGE_SECONDS,
    feedUrlTtlSeconds: env.API_FEED_URL_TTL_SECONDS,
    pipelineCountsCacheMs: env.API_PIPELINE_COUNTS_CACHE_MS,
    kafka: toKafkaConfig(env),
    redis: toRedisConfig(env),
    s3: toS3Config(env),
    logLevel: env.LOG_LEVEL,
  }));
export type ApiConfig = z.output<typeof ApiEnv>;

export function loadConfig(env: Env): Readonly<ApiConfig> {
  return parseConfig('api', ApiEnv, env);
}
