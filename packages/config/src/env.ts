import { z } from 'zod';

/** Building blocks for environment schemas: coerce strings the way operators write them. */

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** `true/false/1/0/yes/no/on/off`, case-insensitive; anything else is an error, not `false`. */
export const envBoolean = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return fallback;
      const v = value.trim().toLowerCase();
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected a boolean (true/false/1/0/yes/no), got "${value}"` });
      return z.NEVER;
    });

export const envInt = (fallback: number, bounds: { min?: number; max?: number } = {}) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const n = Number(value);
      if (!Number.isInteger(n)) {
        ctx.addIssue({ code: 'custom', message: `expected an integer, got "${value}"` });
        return z.NEVER;
      }
      if (bounds.min !== undefined && n < bounds.min) {
        ctx.addIssue({ code: 'custom', message: `must be ≥ ${bounds.min}, got ${n}` });
        return z.NEVER;
      }
      if (bounds.max !== undefined && n > bounds.max) {
        ctx.addIssue({ code: 'custom', message: `must be ≤ ${bounds.max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

export const envPort = (fallback: number) => envInt(fallback, { min: 0, max: 65535 });

/** Comma-separated list; blanks removed. */
export const envList = (fallback: readonly string[] = []) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? [...fallback]
        : value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0),
    );

export const envString = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? fallback : value.trim()));

export const envOptionalString = () =>
  z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

export const envUrl = (fallback?: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = value === undefined || value.trim() === '' ? fallback : value.trim();
      if (v === undefined) return undefined;
      try {
        return new URL(v).toString().replace(/\/$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected a URL, got "${v}"` });
        return z.NEVER;
      }
    });

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** True for a level pino knows; anything else would make pino throw at start. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export const envLogLevel = () =>
  z
    .string()
    .optional()
    .transform((value, ctx): LogLevel => {
      const v = value?.trim().toLowerCase() ?? '';
      if (v === '') return 'info';
      if (isLogLevel(v)) return v;
      ctx.addIssue({ code: 'custom', message: `expected one of ${LOG_LEVELS.join(', ')}, got "${value}"` });
      return z.NEVER;
    });

const HOST_PORT = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?):(\d{1,5})$/i;

/** Why `value` is not a `host:port` address, or undefined when it is one. */
export function brokerProblem(value: string): string | undefined {
  const match = HOST_PORT.exec(value);
  if (!match) return `"${value}" is not host:port`;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return `"${value}": the port must be from 1 to 65535`;
  return undefined;
}

/** Comma-separated `host:port` list (Kafka bootstrap servers); spaces or a missing port are errors. */
export const envBrokers = (fallback: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return [...fallback];
      const brokers = value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
      const problems = brokers.map(brokerProblem).filter((p): p is string => p !== undefined);
      if (problems.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected comma-separated host:port addresses: ${problems.join('; ')}`,
        });
        return z.NEVER;
      }
      return brokers;
    });

/** A URL whose scheme is one of `schemes` (e.g. `redis:`/`rediss:`); the text is kept as written. */
export const envUrlWithScheme = (fallback: string, schemes: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const v = value === undefined || value.trim() === '' ? fallback : value.trim();
      let url: URL;
      try {
        url = new URL(v);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `expected a ${schemes.map((s) => `${s}//`).join(' or ')} URL, got "${redactUrl(v)}"`,
        });
        return z.NEVER;
      }
      if (!schemes.includes(url.protocol) || url.hostname === '') {
        ctx.addIssue({
          code: 'custom',
          message: `expected a ${schemes.map((s) => `${s}//host:port`).join(' or ')} URL, got "${redactUrl(v)}"`,
        });
        return z.NEVER;
      }
      return v;
    });

/**
 * Standard Webhooks secrets (`whsec_` + base64 of at least 16 bytes), comma-separated for rotation.
 * A secret in another form would make every signature check fail, so it is refused at start.
 */
export const envWebhooksSecrets = () =>
  envList().superRefine((secrets, ctx) => {
    for (const [index, secret] of secrets.entries()) {
      const problem = standardWebhooksSecretProblem(secret);
      if (problem) ctx.addIssue({ code: 'custom', message: `secret #${index + 1}: ${problem}` });
    }
  });

/** Why `secret` is not a Standard Webhooks secret, or undefined when it is one. Never echoes the secret. */
export function standardWebhooksSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith('whsec_')) return 'expected "whsec_" followed by a base64 key';
  const key = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length < 16)
    return 'expected "whsec_" followed by a base64 key of at least 16 bytes';
  return undefined;
}

/** `scheme://user:password@host` → `scheme://user:[redacted]@host` (also with an empty user). */
export function redactUrl(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]*):([^/@\s]*)@/gi, (_m, scheme, user) =>
    user ? `${scheme}${user}:[redacted]@` : `${scheme}:[redacted]@`,
  );
}
