import { brokerProblem } from '@vocflow/config';
import type { Command } from 'commander';

/**
 * Option values are parsed while commander reads the command line. A value that does not parse is kept
 * as an `Invalid` marker instead of stopping at the first one, and `assertValidOptions` (a preAction
 * hook) then lists every bad option at once, before any command does any work.
 */
export class Invalid {
  readonly raw: string;
  readonly problem: string;
  constructor(raw: string, problem: string) {
    this.raw = raw;
    this.problem = problem;
  }
}

/** Wrong usage: bad options, bad arguments or a bad environment. The CLI exits 2 with every problem. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export type Parser<T> = (raw: string) => T | Invalid;

/** Adapts a parser to commander's `argParser` (which also runs on values taken from `.env(…)`). */
export function arg<T>(parse: Parser<T>): (raw: string) => T {
  return (raw) => parse(raw) as T;
}

export function integer(bounds: { min?: number; max?: number } = {}): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
    const range =
      bounds.min !== undefined && bounds.max !== undefined
        ? ` from ${bounds.min} to ${bounds.max}`
        : bounds.min !== undefined
          ? ` ≥ ${bounds.min}`
          : bounds.max !== undefined
            ? ` ≤ ${bounds.max}`
            : '';
    if (
      !Number.isSafeInteger(n) ||
      (bounds.min !== undefined && n < bounds.min) ||
      (bounds.max !== undefined && n > bounds.max)
    )
      return new Invalid(raw, `expected a whole number${range}`);
    return n;
  };
}

export function positiveNumber(max: number): Parser<number> {
  return (raw) => {
    const text = raw.trim();
    const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
    if (!(n > 0 && n <= max)) return new Invalid(raw, `expected a number above 0 and at most ${max}`);
    return n;
  };
}

export function choiceList<T extends string>(choices: readonly T[]): Parser<T[]> {
  return (raw) => {
    const names = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !(choices as readonly string[]).includes(n));
    if (names.length === 0 || unknown.length > 0)
      return new Invalid(
        raw,
        `${unknown.length > 0 ? `unknown ${unknown.join(', ')}; ` : ''}expected a comma-separated list of ${choices.join(', ')}`,
      );
    return names as T[];
  };
}

export const brokers: Parser<string[]> = (raw) => {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const problems = list.map(brokerProblem).filter((p): p is string => p !== undefined);
  if (list.length === 0 || problems.length > 0)
    return new Invalid(
      raw,
      `expected comma-separated host:port addresses${problems.length ? `: ${problems.join('; ')}` : ''}`,
    );
  return list;
};

export const httpUrl: Parser<string> = (raw) => {
  try {
    const url = new URL(raw.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // reported below
  }
  return new Invalid(raw, 'expected an http:// or https:// URL');
};

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` that names a real calendar day (UTC). */
export const day: Parser<string> = (raw) => {
  const text = raw.trim();
  const ms = DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : Number.NaN;
  if (Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text)) return text;
  return new Invalid(raw, 'expected a calendar day as YYYY-MM-DD (UTC)');
};

const AGE = /^(\d+)\s*(m|min|h|d|w)$/i;
const AGE_MS: Record<string, number> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export const TIME_FORMS =
  'a day (2026-11-30, midnight UTC), a time (2026-11-30T08:00, UTC unless it has an offset such as Z or +01:00), now, today, yesterday (midnight UTC), or an age such as 90m, 24h, 7d, 2w';

/** A point in time, as an ISO string in UTC. The forms are listed in TIME_FORMS (and in the docs). */
export function time(now: () => Date = () => new Date()): Parser<string> {
  return (raw) => {
    const text = raw.trim();
    const lower = text.toLowerCase();
    const current = now();
    const midnight = Date.UTC(current.getUTCFullYear(), current.getUTCMonth(), current.getUTCDate());
    if (lower === 'now') return current.toISOString();
    if (lower === 'today') return new Date(midnight).toISOString();
    if (lower === 'yesterday') return new Date(midnight - AGE_MS['d']!).toISOString();
    const age = AGE.exec(text);
    if (age)
      return new Date(current.getTime() - Number(age[1]) * AGE_MS[age[2]!.toLowerCase()]!).toISOString();
    if (DAY.test(text)) {
      const parsed = day(text);
      return parsed instanceof Invalid
        ? new Invalid(raw, `expected ${TIME_FORMS}`)
        : `${parsed}T00:00:00.000Z`;
    }
    if (DATE_TIME.test(text)) {
      const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
      const ms = Date.parse(hasOffset ? text : `${text}Z`);
      const dayPart = text.slice(0, 10);
      if (Number.isFinite(ms) && !(day(dayPart) instanceof Invalid)) return new Date(ms).toISOString();
    }
    return new Invalid(raw, `expected ${TIME_FORMS}`);
  };
}

/** Every option or argument of `command` that did not parse, named as the user wrote it. */
export function invalidOptions(command: Command): string[] {
  const problems: string[] = [];
  for (const option of command.options) {
    const value = command.getOptionValue(option.attributeName());
    if (!(value instanceof Invalid)) continue;
    const fromEnv = command.getOptionValueSource(option.attributeName()) === 'env';
    const name = option.long ?? option.flags;
    const where = fromEnv && option.envVar ? `${option.envVar} (for ${name})` : name;
    problems.push(`${where}: ${value.problem}, got "${value.raw}"`);
  }
  command.registeredArguments.forEach((argument, index) => {
    const value = command.processedArgs[index];
    const values = Array.isArray(value) ? value : [value];
    for (const v of values)
      if (v instanceof Invalid) problems.push(`<${argument.name()}>: ${v.problem}, got "${v.raw}"`);
  });
  return problems;
}

export function assertValidOptions(command: Command): void {
  const problems = invalidOptions(command);
  if (problems.length > 0) throw new UsageError(problems);
}
