import { loadModelFile, type Model } from '@vocflow/analysis';
import {
  ConfigError,
  type ConfigProblem,
  type Env,
  envBoolean,
  envInt,
  envList,
  envOptionalString,
  envPort,
  envUrl,
  inputLimitsEnv,
  kafkaEnv,
  logEnv,
  parseConfig,
  redisEnv,
  runnerEnv,
  standardWebhooksSecretProblem,
  toInputLimitsConfig,
  toKafkaConfig,
  toRedisConfig,
  toRunnerConfig,
} from '@vocflow/config';
import {
  hydrationEnv,
  loadMappings,
  MappingError,
  type Mappings,
  toHydrationSettings,
} from '@vocflow/sources';
import { z } from 'zod';
import { type AlertRule, AlertRules, DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { loadRulesFile } from './rules-file.ts';
import {
  DEFAULT_SEGMENT_ATTRIBUTES,
  type SegmentRule,
  SegmentRules,
  segmentAttributeProblems,
} from './segments.rules.ts';

const DAY_SECONDS = 24 * 60 * 60;

export const EnrichmentEnv = z
  .object({
    ...kafkaEnv,
    ...runnerEnv,
    ...redisEnv,
    ...logEnv,
    ...hydrationEnv,
    ...inputLimitsEnv,
    /** Survey mappings (same file as ingest): which hydrated answer is NPS, CSAT, CES or the comment. */
    VOCFLOW_MAPPINGS: envOptionalString(),
    ENRICHMENT_OPS_PORT: envPort(8082),
    /** JSON file with segment rules (see docs/enrichment.md). None: automatic segments only. */
    VOCFLOW_SEGMENTS: envOptionalString(),
    /**
     * Which attributes form automatic segments: `channel`, `source`, `language`, the profile fields
     * (`tier`, `region`, `industry`, `plan`) and free-form profile attributes by name. Names that look
     * like ids, emails or phone numbers are refused.
     */
    SEGMENT_ATTRIBUTES: envList(DEFAULT_SEGMENT_ATTRIBUTES),
    /** JSON file with alert rules. None: the default rules (NPS ≤ 6; sentiment ≤ −0.5 from enterprise). */
    VOCFLOW_ALERT_RULES: envOptionalString(),
    ALERT_WEBHOOK_URL: envUrl(),
    ALERT_WEBHOOK_SECRET: envOptionalString(),
    ALERT_WEBHOOK_MAX_ATTEMPTS: envInt(8, { min: 1, max: 100 }),
    ALERT_WEBHOOK_CONCURRENCY: envInt(8, { min: 1, max: 256 }),
    ALERT_WEBHOOK_TIMEOUT_MS: envInt(10_000, { min: 100, max: 120_000 }),
    ALERT_WEBHOOK_BACKOFF_MS: envInt(1_000, { min: 1, max: 600_000 }),
    ALERT_WEBHOOK_MAX_BACKOFF_MS: envInt(60_000, { min: 1, max: 3_600_000 }),
    PII_REDACTION: envBoolean(true),
    PII_HASH_SALT: envOptionalString(),
    /** Characters of an item's text the analyser scores; the record keeps (and redaction scans) all of it. */
    ANALYSIS_MAX_CHARS: envInt(20_000, { min: 100, max: 1_000_000 }),
    /** How long an item whose customer is unknown waits in Redis for its profile. */
    UNLINKED_TTL_DAYS: envInt(30, { min: 1, max: 3650 }),
    /** How often every waiting item is checked against the table (closes any gap). */
    UNLINKED_SWEEP_INTERVAL_MS: envInt(60_000, { min: 100, max: 86_400_000 }),
    /** Keys one sweep reads at most; the next sweep resumes where it stopped. */
    UNLINKED_SWEEP_MAX_KEYS: envInt(5_000, { min: 1, max: 10_000_000 }),
    /** How long the version an alert was last raised for is remembered per item (see docs/enrichment.md). */
    ALERT_VERSIONS_TTL_DAYS: envInt(30, { min: 1, max: 3650 }),
    /** How long start() waits for the customer table to catch up before it fails. */
    CUSTOMER_TABLE_TIMEOUT_MS: envInt(120_000, { min: 1_000, max: 3_600_000 }),
    /** A model file from `vocflow analysis train --data …`. None: the shipped model. */
    ANALYSIS_MODEL: envOptionalString(),
  })
  .superRefine((env, ctx) => {
    for (const message of segmentAttributeProblems(env.SEGMENT_ATTRIBUTES))
      ctx.addIssue({ code: 'custom', path: ['SEGMENT_ATTRIBUTES'], message });
    for (const problem of alertWebhookProblems(env.ALERT_WEBHOOK_URL, env.ALERT_WEBHOOK_SECRET))
      ctx.addIssue({ code: 'custom', path: [problem.variable], message: problem.message });
  })
  .transform((env) => ({
    kafka: toKafkaConfig(env),
    runner: toRunnerConfig(env),
    redis: toRedisConfig(env),
    logLevel: env.LOG_LEVEL,
    opsPort: env.ENRICHMENT_OPS_PORT,
    segmentsFile: env.VOCFLOW_SEGMENTS,
    segmentAttributes: env.SEGMENT_ATTRIBUTES,
    inputLimits: toInputLimitsConfig(env),
    alertRulesFile: env.VOCFLOW_ALERT_RULES,
    webhook: env.ALERT_WEBHOOK_URL
      ? {
          url: env.ALERT_WEBHOOK_URL,
          secret: env.ALERT_WEBHOOK_SECRET ?? '',
          maxAttempts: env.ALERT_WEBHOOK_MAX_ATTEMPTS,
          concurrency: env.ALERT_WEBHOOK_CONCURRENCY,
          timeoutMs: env.ALERT_WEBHOOK_TIMEOUT_MS,
          backoffMs: env.ALERT_WEBHOOK_BACKOFF_MS,
          maxBackoffMs: env.ALERT_WEBHOOK_MAX_BACKOFF_MS,
        }
      : undefined,
    pii: { enabled: env.PII_REDACTION, hashSalt: env.PII_HASH_SALT },
    analysisMaxChars: env.ANALYSIS_MAX_CHARS,
    unlinked: {
      ttlSeconds: env.UNLINKED_TTL_DAYS * DAY_SECONDS,
      sweepIntervalMs: env.UNLINKED_SWEEP_INTERVAL_MS,
      sweepMaxKeys: env.UNLINKED_SWEEP_MAX_KEYS,
    },
    alerts: { versionsTtlDays: env.ALERT_VERSIONS_TTL_DAYS },
    customerTableTimeoutMs: env.CUSTOMER_TABLE_TIMEOUT_MS,
    hydration: toHydrationSettings(env),
    mappingsPath: env.VOCFLOW_MAPPINGS,
    analysisModelPath: env.ANALYSIS_MODEL,
  }));

/** The alert webhook needs a Standard Webhooks secret once it has a URL. */
function alertWebhookProblems(url: string | undefined, secret: string | undefined): ConfigProblem[] {
  if (url && !secret)
    return [{ variable: 'ALERT_WEBHOOK_SECRET', message: 'required when ALERT_WEBHOOK_URL is set' }];
  const problem = secret ? standardWebhooksSecretProblem(secret) : undefined;
  return problem ? [{ variable: 'ALERT_WEBHOOK_SECRET', message: problem }] : [];
}

/** A variable's text as the schema sees it: trimmed, absent when blank. */
const raw = (env: Env, name: string) => env[name]?.trim() || undefined;

export type EnrichmentEnvConfig = z.output<typeof EnrichmentEnv>;

export interface EnrichmentConfig extends EnrichmentEnvConfig {
  readonly segmentRules: readonly SegmentRule[];
  readonly alertRules: readonly AlertRule[];
  readonly mappings: Mappings;
}

/**
 * The analyzer's model named by ANALYSIS_MODEL (null: the shipped one). A file that cannot be read or
 * is not a model is a ConfigError at start, naming the file and what is wrong with it.
 */
export function loadAnalysisModel(config: Pick<EnrichmentConfig, 'analysisModelPath'>): Model | null {
  if (config.analysisModelPath === undefined) return null;
  try {
    return loadModelFile(config.analysisModelPath);
  } catch (error) {
    throw new ConfigError('enrichment', [{ variable: 'ANALYSIS_MODEL', message: (error as Error).message }]);
  }
}

/**
 * Parses the environment and the rule files it names; throws one ConfigError listing every problem:
 * the variables, the checks across them and the files are all checked even when some fail.
 */
export function loadConfig(env: Env): Readonly<EnrichmentConfig> {
  const problems: ConfigProblem[] = [];
  let parsed: Readonly<EnrichmentEnvConfig> | undefined;
  try {
    parsed = parseConfig('enrichment', EnrichmentEnv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
    // zod skips the cross-variable checks when a variable is invalid: run them on the raw values.
    const named = new Set(problems.map((p) => p.variable));
    for (const problem of alertWebhookProblems(
      raw(env, 'ALERT_WEBHOOK_URL'),
      raw(env, 'ALERT_WEBHOOK_SECRET'),
    ))
      if (!named.has(problem.variable)) problems.push(problem);
  }
  const attempt = <T>(load: () => T, fallback: T): T => {
    try {
      return load();
    } catch (error) {
      if (error instanceof ConfigError) problems.push(...error.problems);
      else throw error;
      return fallback;
    }
  };
  const segmentsFile = parsed ? parsed.segmentsFile : raw(env, 'VOCFLOW_SEGMENTS');
  const alertRulesFile = parsed ? parsed.alertRulesFile : raw(env, 'VOCFLOW_ALERT_RULES');
  const segmentRules = segmentsFile
    ? attempt(() => loadRulesFile('VOCFLOW_SEGMENTS', segmentsFile, SegmentRules).segments, [])
    : [];
  const alertRules = alertRulesFile
    ? attempt(() => loadRulesFile('VOCFLOW_ALERT_RULES', alertRulesFile, AlertRules).rules, [])
    : DEFAULT_ALERT_RULES;
  let mappings: Mappings = {};
  try {
    mappings = loadMappings(parsed ? parsed.mappingsPath : raw(env, 'VOCFLOW_MAPPINGS'));
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    problems.push({ variable: 'VOCFLOW_MAPPINGS', message: error.message });
  }
  if (problems.length > 0 || !parsed) throw new ConfigError('enrichment', problems);
  return Object.freeze({ ...parsed, segmentRules, alertRules, mappings });
}
