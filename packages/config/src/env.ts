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
export const envLogLevel = () => z.enum(LOG_LEVELS).optional().default('info');
