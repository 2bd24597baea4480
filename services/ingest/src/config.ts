import {
  type Env,
  envBoolean,
  envInt,
  envList,
  envOptionalString,
  envPort,
  envString,
  envWebhooksSecrets,
  inputLimitsEnv,
  kafkaEnv,
  logEnv,
  parseConfig,
  toInputLimitsConfig,
  toKafkaConfig,
} from '@vocflow/config';
import { z } from 'zod';

export const WEBHOOK_SOURCES = [
  'typeform',
  'surveymonkey',
  'qualtrics',
  'formbricks',
  'tally',
  'delighted',
  'generic',
] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

/** Names ALLOW_UNSIGNED_SOURCES accepts: the webhook sources, and `api` for the API-key endpoints. */
const UNSIGNED_NAMES = [...WEBHOOK_SOURCES, 'api'] as const;

export const IngestEnv = z
  .object({
    ...kafkaEnv,
    ...logEnv,
    ...inputLimitsEnv,
    INGEST_PORT: envPort(8080),
    INGEST_HOST: envString('0.0.0.0'),
    /** Largest request body in bytes (413 above it). */
    INGEST_MAX_BODY_BYTES: envInt(1024 * 1024, { min: 1024, max: 3 * 1024 * 1024 }),
    /** Requests per second per source, per instance (token bucket in memory); 0 turns it off. */
    INGEST_RATE_LIMIT_PER_SOURCE: envInt(200, { min: 0, max: 1_000_000 }),
    /** How long a request waits for Kafka's acknowledgement before answering 503. */
    INGEST_KAFKA_TIMEOUT_MS: envInt(5_000, { min: 100, max: 60_000 }),
    /** Retry-After sent with 503 and 429. */
    INGEST_RETRY_AFTER_SECONDS: envInt(5, { min: 1, max: 3_600 }),
    /** Standard Webhooks timestamp tolerance (Formbricks, generic). */
    INGEST_SIGNATURE_TOLERANCE_SECONDS: envInt(300, { min: 1, max: 86_400 }),
    /** Keep the original request on each record for audit and replay. */
    INGEST_KEEP_ORIGINAL: envBoolean(true),
    WEBHOOK_SECRET_TYPEFORM: envList(),
    WEBHOOK_SECRET_TALLY: envList(),
    WEBHOOK_SECRET_FORMBRICKS: envWebhooksSecrets(),
    WEBHOOK_SECRET_DELIGHTED: envList(),
    WEBHOOK_SECRET_QUALTRICS: envList(),
    WEBHOOK_SECRET_GENERIC: envWebhooksSecrets(),
    SURVEYMONKEY_API_KEY: envList(),
    SURVEYMONKEY_API_SECRET: envList(),
    API_KEYS: envList(),
    ALLOW_UNSIGNED_SOURCES: envList().pipe(z.array(z.enum(UNSIGNED_NAMES))),
    VOCFLOW_MAPPINGS: envOptionalString(),
  })
  .transform((env) => ({
    kafka: toKafkaConfig(env),
    logLevel: env.LOG_LEVEL,
    inputLimits: toInputLimitsConfig(env),
    http: {
      port: env.INGEST_PORT,
      host: env.INGEST_HOST,
      maxBodyBytes: env.INGEST_MAX_BODY_BYTES,
      rateLimitPerSource: env.INGEST_RATE_LIMIT_PER_SOURCE,
      retryAfterSeconds: env.INGEST_RETRY_AFTER_SECONDS,
    },
    kafkaTimeoutMs: env.INGEST_KAFKA_TIMEOUT_MS,
    keepOriginal: env.INGEST_KEEP_ORIGINAL,
    signatureToleranceSeconds: env.INGEST_SIGNATURE_TOLERANCE_SECONDS,
    secrets: {
      typeform: env.WEBHOOK_SECRET_TYPEFORM,
      tally: env.WEBHOOK_SECRET_TALLY,
      formbricks: env.WEBHOOK_SECRET_FORMBRICKS,
      delighted: env.WEBHOOK_SECRET_DELIGHTED,
      qualtrics: env.WEBHOOK_SECRET_QUALTRICS,
      generic: env.WEBHOOK_SECRET_GENERIC,
      /** Every configured key paired with every configured secret (either may be rotating). */
      surveymonkey: env.SURVEYMONKEY_API_KEY.flatMap((apiKey) =>
        env.SURVEYMONKEY_API_SECRET.map((apiSecret) => ({ apiKey, apiSecret })),
      ),
    },
    apiKeys: env.API_KEYS,
    allowUnsigned: env.ALLOW_UNSIGNED_SOURCES,
    mappingsPath: env.VOCFLOW_MAPPINGS,
  }));
export type IngestConfig = z.output<typeof IngestEnv>;

/** The environment variable holding a source's secret, for messages that tell operators what to set. */
export const SECRET_VARIABLE: Record<WebhookSource, string> = {
  typeform: 'WEBHOOK_SECRET_TYPEFORM',
  surveymonkey: 'SURVEYMONKEY_API_KEY and SURVEYMONKEY_API_SECRET',
  qualtrics: 'WEBHOOK_SECRET_QUALTRICS',
  formbricks: 'WEBHOOK_SECRET_FORMBRICKS',
  tally: 'WEBHOOK_SECRET_TALLY',
  delighted: 'WEBHOOK_SECRET_DELIGHTED',
  generic: 'WEBHOOK_SECRET_GENERIC',
};

export function loadConfig(env: Env): Readonly<IngestConfig> {
  return parseConfig('ingest', IngestEnv, env);
}
