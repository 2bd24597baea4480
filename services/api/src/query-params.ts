import { z } from 'zod';
import { type ProblemIssue, problems } from './problem.ts';
import type { SeriesGranularity } from './rollup-queries.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longest series one request may ask for, so a typo cannot make the API read years of buckets. */
export const MAX_BUCKETS = 2_000;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DateParam = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

const RangeQuery = z
  .object({
    from: DateParam.optional(),
    to: DateParam.optional(),
    granularity: z.enum(['hour', 'day']).optional(),
  })
  .strict();

export interface TimeRange {
  /** Inclusive, floored to the bucket start. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
  readonly granularity: SeriesGranularity;
}

export function floorTo(date: Date, granularity: SeriesGranularity): Date {
  const ms = granularity === 'hour' ? HOUR_MS : DAY_MS;
  return new Date(Math.floor(date.getTime() / ms) * ms);
}

export function bucketStarts(range: TimeRange): string[] {
  const step = range.granularity === 'hour' ? HOUR_MS : DAY_MS;
  const starts: string[] = [];
  for (let t = range.from.getTime(); t < range.to.getTime(); t += step)
    starts.push(new Date(t).toISOString());
  return starts;
}

function issuesOf(error: z.ZodError): ProblemIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(query)',
    message:
      issue.code === 'unrecognized_keys' ? `unknown parameter(s): ${issue.keys.join(', ')}` : issue.message,
  }));
}

/** Splits a query into the parameters a parser knows and the rest (checked by the next parser). */
function split(query: unknown, names: readonly string[]): [Record<string, unknown>, Record<string, unknown>] {
  const mine: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>))
    (names.includes(key) ? mine : rest)[key] = value;
  return [mine, rest];
}

/** Buckets a series has when `from` is not given: 30 days (today included), or 48 hours (this one included). */
export const DEFAULT_BUCKETS = { day: 30, hour: 48 } as const;

/**
 * `from`/`to` as a date (`2026-11-01`: the whole day) or an instant with offset; `granularity`
 * `hour` or `day` (default `day`). Defaults: the last 30 days, or the last 48 hours by the hour.
 * Throws a 400 problem listing every bad parameter.
 */
export function parseRange(query: unknown, now: Date = new Date()): TimeRange {
  const parsed = RangeQuery.safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  const granularity = parsed.data.granularity ?? 'day';
  const step = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const toRaw = parsed.data.to;
  const fromRaw = parsed.data.from;
  const to =
    toRaw === undefined
      ? now
      : DATE_ONLY.test(toRaw)
        ? new Date(`${toRaw}T00:00:00Z`).getTime() + DAY_MS
        : toRaw;
  const toDate = new Date(to);
  // The bucket holding `to` counts when `to` is not on a bucket boundary.
  const toCeil = new Date(Math.ceil(toDate.getTime() / step) * step);
  // By default exactly DEFAULT_BUCKETS buckets, the last one holding `to` (today, or this hour).
  const fromDate =
    fromRaw === undefined
      ? new Date(toCeil.getTime() - DEFAULT_BUCKETS[granularity] * step)
      : new Date(DATE_ONLY.test(fromRaw) ? `${fromRaw}T00:00:00Z` : fromRaw);
  const from = floorTo(fromDate, granularity);
  if (from.getTime() >= toCeil.getTime()) {
    throw problems.invalidQuery([{ path: 'from', message: '`from` must be before `to`' }]);
  }
  if ((toCeil.getTime() - from.getTime()) / step > MAX_BUCKETS) {
    throw problems.invalidQuery([
      { path: 'granularity', message: `the range spans more than ${MAX_BUCKETS} ${granularity} buckets` },
    ]);
  }
  return { from, to: toCeil, granularity };
}

const FeedsQuery = z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }).strict();

/** Dates (`YYYY-MM-DD`, inclusive) for the feed listing; default the last 7 days. */
export function parseFeedRange(query: unknown, now: Date = new Date()): { from: string; to: string } {
  const parsed = FeedsQuery.safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  const to = parsed.data.to ?? now.toISOString().slice(0, 10);
  const from =
    parsed.data.from ??
    new Date(new Date(`${to}T00:00:00Z`).getTime() - 6 * DAY_MS).toISOString().slice(0, 10);
  if (from > to) throw problems.invalidQuery([{ path: 'from', message: '`from` must not be after `to`' }]);
  return { from, to };
}

const IdParam = z.string().min(1).max(256);

export function parseId(value: unknown, path: string): string {
  const parsed = IdParam.safeParse(value);
  if (!parsed.success) throw problems.invalidQuery([{ path, message: 'must be 1–256 characters' }]);
  return parsed.data;
}

const LimitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }).strict();

export function parseLimit(query: unknown, fallback: number): number {
  const parsed = LimitQuery.safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  return parsed.data.limit ?? fallback;
}

export function rejectQuery(query: unknown): void {
  const parsed = z
    .object({})
    .strict()
    .safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
}

/** `/v1/overview`: `limit` (worst segments) and the period of its `period` block (see parseRange). */
export function parseOverviewQuery(
  query: unknown,
  now: Date = new Date(),
): { limit: number; range: TimeRange; rangeNamed: boolean } {
  const [limitPart, rest] = split(query, ['limit']);
  const named = Object.values(rest).some((value) => value !== undefined);
  return { limit: parseLimit(limitPart, 5), range: parseRange(rest, now), rangeNamed: named };
}

const Segment = z.string().min(1).max(256);
/** Aspect names and sentiment labels as the analyser writes them. */
const Name = z.string().regex(/^[\p{L}\p{N}_-]{1,64}$/u, 'letters, digits, `_` or `-`, at most 64');

const DriversQuery = z.object({ segment: Segment.optional() }).strict();

/** `/v1/drivers`: an optional `segment` (overall when absent) and a range (see parseRange). */
export function parseDriversQuery(
  query: unknown,
  now: Date = new Date(),
): { segment: string | undefined; range: TimeRange } {
  const [mine, rest] = split(query, ['segment']);
  const parsed = DriversQuery.safeParse(mine);
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  return { segment: parsed.data.segment, range: parseRange(rest, now) };
}

/** Most verbatims one page may hold. */
export const MAX_VERBATIMS_PAGE = 100;

const VerbatimsQuery = z
  .object({
    segment: Segment.optional(),
    aspect: Name.optional(),
    label: z.enum(['negative', 'neutral', 'positive']).optional(),
    language: z
      .string()
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a language code such as `en`, `zh` or `zh-Hant`')
      .optional(),
    limit: z.coerce.number().int().min(1).max(MAX_VERBATIMS_PAGE).optional(),
    cursor: z.string().max(600).optional(),
  })
  .strict();

export interface VerbatimsParams {
  readonly segment?: string;
  readonly aspect?: string;
  readonly label?: 'negative' | 'neutral' | 'positive';
  readonly language?: string;
  readonly limit: number;
  readonly after?: { readonly at: number; readonly id: string };
}

/** A page cursor: the event time (ms) and feedbackId of the last item of the page before, base64url JSON. */
export function encodeCursor(after: { at: number; id: string }): string {
  return Buffer.from(JSON.stringify([after.at, after.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: string } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      Number.isSafeInteger(value[0]) &&
      typeof value[1] === 'string' &&
      value[1].length > 0
    )
      return { at: value[0] as number, id: value[1] };
  } catch {
    // falls through to null
  }
  return null;
}

/** `/v1/verbatims`: scope, filters, `limit` (default 20, at most 100) and the `cursor` of a previous page. */
export function parseVerbatimsQuery(query: unknown): VerbatimsParams {
  const parsed = VerbatimsQuery.safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  const { cursor, limit, ...filters } = parsed.data;
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (after === null)
    throw problems.invalidQuery([{ path: 'cursor', message: 'not a cursor this API returned' }]);
  const defined = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
  return { ...defined, limit: limit ?? 20, ...(after ? { after } : {}) };
}

const AlertsQuery = z
  .object({
    customer: z.string().min(1).max(256).optional(),
    segment: Segment.optional(),
    limit: z.coerce.number().int().min(1).max(200).optional(),
  })
  .strict();

/** `/v1/alerts`: recent alerts, optionally of one customer or one segment; `limit` default 20. */
export function parseAlertsQuery(query: unknown): { customer?: string; segment?: string; limit: number } {
  const parsed = AlertsQuery.safeParse(query ?? {});
  if (!parsed.success) throw problems.invalidQuery(issuesOf(parsed.error));
  const { limit, customer, segment } = parsed.data;
  return {
    limit: limit ?? 20,
    ...(customer === undefined ? {} : { customer }),
    ...(segment === undefined ? {} : { segment }),
  };
}
