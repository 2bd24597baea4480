import type { z } from 'zod';
import { redactUrl } from './env.ts';

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** Every problem with the environment at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  constructor(service: string, problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration for ${service}:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Parses the environment with a service's schema; throws ConfigError listing every issue. */
export function parseConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: Env,
): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      service,
      result.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(environment)',
        message: issue.message,
      })),
    );
  }
  return deepFreeze(result.data);
}

export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as object)) deepFreeze(child);
  }
  return value;
}

const SECRET_KEY =
  /secret|password|passwd|token|apikey|api_key|apiKeys|credential|signingKey|salt|accessKeyId|privateKey/i;

/**
 * A copy fit for logs: values under secret-looking keys replaced (webhook secrets, API keys, S3 keys,
 * salts, passwords), and passwords in URLs of any scheme (`redis://:pw@`, `rediss://user:pw@`,
 * `http://user:pw@`) replaced wherever they appear in a string.
 */
export function redact(value: unknown, key = ''): unknown {
  if (SECRET_KEY.test(key)) {
    if (Array.isArray(value)) return value.map(() => '[redacted]');
    if (value === undefined || value === null || value === '') return value;
    if (typeof value === 'object')
      return Object.fromEntries(Object.keys(value).map((k) => [k, '[redacted]']));
    return '[redacted]';
  }
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  if (typeof value === 'string') return redactUrl(value);
  return value;
}
