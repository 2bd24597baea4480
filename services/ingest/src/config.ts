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
import { apiKeysEnv, toApiKeyLists } from '@vocflow/http';
import { WEBHOOK_SECRET_VARIABLES, WEBHOOK_SOURCES } from '@vocflow/sources';
import { z } from 'zod';

/** The webhook sources ingest serves, by name (each defined in its own file in @vocflow/sources). */
export const WEBHOOK_SOURCE_NAMES = WEBHOOK_SOURCES.map((s) => s.name);

/** Names ALLOW_UNSIGNED_SOURCES accepts: the webhook sources, and `api` for the API-key endpoints. */
const UNSIGNED_NAMES = [...WEBHOOK_SOURCE_NAMES, 'api'];

/** A URL token must be unguessable: it is the only secret of a source that signs nothing (Jotform). */
const MIN_URL_TOKEN_LENGTH = 24;
const envUrlTokens = () =>
  envList().superRefine((tokens, ctx) => {
    for (const [index, token] of tokens.entries())
      if (token.length < MIN_URL_TOKEN_LENGTH)
        ctx.addIssue({
          code: 'custom',
          message: `token #${index + 1}: at least ${MIN_URL_TOKEN_LENGTH} characters (it is the only secret)`,
        });
  });

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
    /** How long a request's records wait for others to share their produce request (0: one turn). */
    INGEST_PRODUCE_LINGER_MS: envInt(2, { min: 0, max: 50 }),
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
    WEBHOOK_SECRET_ZENDESK: envList(),
    WEBHOOK_SECRET_JOTFORM: envUrlTokens(),
    SURVEYMONKEY_API_KEY: envList(),
    SURVEYMONKEY_API_SECRET: envList(),
    ...apiKeysEnv,
    ALLOW_UNSIGNED_SOURCES: envList().pipe(
      z.array(
        z.string().refine((name) => UNSIGNED_NAMES.includes(name), {
          message: `expected one of ${UNSIGNED_NAMES.join(', ')}`,
        }),
      ),
    ),
    /** `production` refuses development shortcuts (ALLOW_UNSIGNED_SOURCES=api). */
    NODE_ENV: envOptionalString(),
    VOCFLOW_MAPPINGS: envOptionalString(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && env.ALLOW_UNSIGNED_SOURCES.includes('api'))
      ctx.addIssue({
        code: 'custom',
        path: ['ALLOW_UNSIGNED_SOURCES'],
        message: '"api" (API-key endpoints open without a key) is refused when NODE_ENV=production',
      });
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
    produceLingerMs: env.INGEST_PRODUCE_LINGER_MS,
    keepOriginal: env.INGEST_KEEP_ORIGINAL,
    signatureToleranceSeconds: env.INGEST_SIGNATURE_TOLERANCE_SECONDS,
    /** Every source's secret variables, by name; each source picks its own (`WebhookSource.secrets`). */
    webhookSecrets: Object.fromEntries(
      WEBHOOK_SECRET_VARIABLES.map((name) => [name, (env as Record<string, unknown>)[name] as string[]]),
    ) as Readonly<Record<string, readonly string[]>>,
    apiKeys: toApiKeyLists(env),
    allowUnsigned: env.ALLOW_UNSIGNED_SOURCES,
    mappingsPath: env.VOCFLOW_MAPPINGS,
  }));
export type IngestConfig = z.output<typeof IngestEnv>;

export function loadConfig(env: Env): Readonly<IngestConfig> {
  return parseConfig('ingest', IngestEnv, env);
}
