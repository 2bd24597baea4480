import type { RedisClient } from '@vocflow/clients';
import {
  CustomerProfile,
  type FeedbackAlert,
  type RollupCounters,
  type RollupScope,
} from '@vocflow/contracts';
import { recentAlerts } from './alert-list.ts';
import { ANY, DEFAULT_VERBATIMS_PER_SCOPE, type FeedbackSummary, type Verbatim } from './contribution.ts';
import {
  type Bucketed,
  bucketRange,
  createKeyspace,
  type KeyspaceOptions,
  parseBucket,
  parseRollupId,
  rollupId,
} from './keys.ts';
import { addPart, type DerivedMetrics, derive, type RawFields, toCounters, updatedAt } from './metrics.ts';

export interface RollupView {
  readonly scope: RollupScope;
  readonly id: string;
  readonly granularity: 'hour' | 'day' | 'all';
  /** Bucket start (UTC ISO) for hour and day; absent for all time. */
  readonly bucketStart?: string;
  readonly counters: RollupCounters;
  readonly derived: DerivedMetrics;
  /** When the rollup last changed, or null if it never had data. */
  readonly updatedAt: string | null;
}

/** Where a verbatim page starts: after the item at this event time (ms) and feedbackId. */
export interface VerbatimCursor {
  readonly at: number;
  readonly id: string;
}

export interface VerbatimQuery {
  /** A segment, or the overall scope when absent. */
  readonly segment?: string;
  readonly aspect?: string;
  /** The item's sentiment label, or the aspect's label when `aspect` is given. */
  readonly label?: string;
  /** Language code of the comment; `zh` also matches `zh-Hant` and the like. */
  readonly language?: string;
  readonly limit: number;
  readonly after?: VerbatimCursor;
}

export interface VerbatimPage {
  /** Newest first (event time, then feedbackId descending). */
  readonly items: Verbatim[];
  /** The cursor of the next page, or null when this page is the last. */
  readonly next: VerbatimCursor | null;
}

export interface RollupReaderOptions extends KeyspaceOptions {
  /** Newest comments listed per scope (rollup × aspect × label): the writer's `verbatimsPerScope`. */
  readonly verbatimsPerScope?: number;
}

export interface RollupReader {
  /** All-time counters of all feedback, derived values and per-channel counts. */
  overview(): Promise<RollupView>;
  /** Every known segment with its all-time rollup, sorted by id. */
  listSegments(): Promise<RollupView[]>;
  segmentExists(segmentId: string): Promise<boolean>;
  /** True when feedback for the customer was counted or its profile is known. */
  customerExists(customerId: string): Promise<boolean>;
  getRollup(scope: RollupScope, id: string, granularity?: 'all'): Promise<RollupView>;
  /** Hour or day buckets (event time, UTC) from `from` to `to` inclusive; only buckets with data. */
  series(
    scope: RollupScope,
    id: string,
    granularity: 'hour' | 'day',
    from: Date,
    to: Date,
  ): Promise<RollupView[]>;
  getCustomer(customerId: string): Promise<CustomerProfile | null>;
  /** The customer's latest feedback (by event time, newest first); summaries without free text. */
  latestFeedback(customerId: string, limit: number): Promise<FeedbackSummary[]>;
  /** Most recent alerts first. */
  recentAlerts(limit: number): Promise<FeedbackAlert[]>;
  /** Segments with the lowest NPS first (then lowest mean sentiment); segments without answers last. */
  worstSegments(limit: number): Promise<RollupView[]>;
  /** The day rollups of every segment and customer with data on `day` (YYYY-MM-DD): what a feed holds. */
  dayRollups(day: string): Promise<RollupView[]>;
  /** Rollups by id and bucket (`a`, `d:YYYY-MM-DD`, `h:YYYY-MM-DDTHH`), as the writer reports changes. */
  getBuckets(refs: readonly { rollupId: string; bucket: string }[]): Promise<RollupView[]>;
  /** A page of the newest comments of a scope (at most `verbatimsPerScope` of them in all). */
  verbatims(query: VerbatimQuery): Promise<VerbatimPage>;
}

/** Buckets are at most this many per series call (a year of hours). */
const MAX_BUCKETS = 9_000;

function bucketStartOf(at: Bucketed): string | undefined {
  if (at.granularity === 'all') return undefined;
  return at.granularity === 'hour' ? `${at.bucket}:00:00.000Z` : `${at.bucket}T00:00:00.000Z`;
}

function viewOf(rid: string, at: Bucketed, fields: RawFields): RollupView {
  const { scope, id } = parseRollupId(rid);
  const counters = toCounters(fields);
  const bucketStart = bucketStartOf(at);
  const updated = updatedAt(fields);
  return {
    scope,
    id,
    granularity: at.granularity,
    ...(bucketStart ? { bucketStart } : {}),
    counters,
    derived: derive(counters),
    updatedAt: updated ? updated.toISOString() : null,
  };
}

function byWorst(a: RollupView, b: RollupView): number {
  const an = a.derived.nps;
  const bn = b.derived.nps;
  if (an !== bn) {
    if (an === null) return 1;
    if (bn === null) return -1;
    return an - bn;
  }
  const as = a.derived.sentimentMean ?? Number.POSITIVE_INFINITY;
  const bs = b.derived.sentimentMean ?? Number.POSITIVE_INFINITY;
  return as - bs || a.id.localeCompare(b.id);
}

/**
 * Reads rollups: each is the sum of its parts in the N shards, read with N commands sent together
 * (in Redis Cluster each goes to the node of its shard).
 */
export function createRollupReader(redis: RedisClient, options: RollupReaderOptions): RollupReader {
  const keys = createKeyspace(options);
  const verbatimCap = options.verbatimsPerScope ?? DEFAULT_VERBATIMS_PER_SCOPE;
  const shards = [...Array(keys.shards).keys()];

  const readMany = async (refs: readonly { rid: string; at: Bucketed }[]): Promise<RollupView[]> => {
    const parts = await Promise.all(
      refs.flatMap(({ rid, at }) => shards.map((s) => redis.get(keys.rollup(s, rid, at)))),
    );
    return refs.map(({ rid, at }, i) => {
      const fields: RawFields = {};
      for (let s = 0; s < keys.shards; s++) {
        const raw = parts[i * keys.shards + s];
        if (raw) addPart(fields, JSON.parse(raw) as RawFields);
      }
      return viewOf(rid, at, fields);
    });
  };
  const union = async (keyOf: (shard: number) => string): Promise<string[]> => {
    const sets = await Promise.all(shards.map((s) => redis.smembers(keyOf(s))));
    return [...new Set(sets.flat())].sort();
  };
  const listSegments = async () =>
    readMany(
      (await union((s) => keys.segments(s))).map((id) => ({
        rid: rollupId('segment', id),
        at: { granularity: 'all' } as const,
      })),
    );

  return {
    async overview() {
      return (await readMany([{ rid: rollupId('overall'), at: { granularity: 'all' } }]))[0]!;
    },
    listSegments,
    async segmentExists(segmentId) {
      const found = await Promise.all(shards.map((s) => redis.sismember(keys.segments(s), segmentId)));
      return found.some((n) => n === 1);
    },
    async customerExists(customerId) {
      const [profile, ...found] = await Promise.all([
        redis.exists(keys.profile(customerId)),
        ...shards.map((s) => redis.sismember(keys.customers(s), customerId)),
      ]);
      return profile === 1 || found.some((n) => n === 1);
    },
    async getRollup(scope, id) {
      return (await readMany([{ rid: rollupId(scope, id), at: { granularity: 'all' } }]))[0]!;
    },
    async series(scope, id, granularity, from, to) {
      const rid = rollupId(scope, id);
      const buckets = bucketRange(granularity, from, to, MAX_BUCKETS);
      const views = await readMany(buckets.map((bucket) => ({ rid, at: { granularity, bucket } })));
      return views.filter((v) => v.counters.count > 0);
    },
    async getCustomer(customerId) {
      const raw = await redis.get(keys.profile(customerId));
      if (raw === null) return null;
      const parsed = CustomerProfile.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : null;
    },
    async latestFeedback(customerId, limit) {
      if (limit <= 0) return [];
      const ranked = await Promise.all(
        shards.map((s) => redis.zrevrange(keys.latest(s, customerId), 0, limit - 1, 'WITHSCORES')),
      );
      const entries: { shard: number; id: string; at: number }[] = [];
      ranked.forEach((flat, shard) => {
        for (let i = 0; i + 1 < flat.length; i += 2)
          entries.push({ shard, id: flat[i]!, at: Number(flat[i + 1]) });
      });
      entries.sort((a, b) => b.at - a.at || a.id.localeCompare(b.id));
      const top = entries.slice(0, limit);
      const summaries = await Promise.all(top.map((e) => redis.hget(keys.summaries(e.shard), e.id)));
      return summaries.flatMap((raw) => (raw ? [JSON.parse(raw) as FeedbackSummary] : []));
    },
    recentAlerts: (limit) => recentAlerts(redis, keys, limit),
    async worstSegments(limit) {
      return (await listSegments()).sort(byWorst).slice(0, Math.max(0, limit));
    },
    async dayRollups(day) {
      const rids = await union((s) => keys.dayMembers(s, day));
      return readMany(rids.map((rid) => ({ rid, at: { granularity: 'day', bucket: day } })));
    },
    async getBuckets(refs) {
      return readMany(refs.map((ref) => ({ rid: ref.rollupId, at: parseBucket(ref.bucket) })));
    },
    async verbatims(query) {
      const rid = query.segment === undefined ? rollupId('overall') : rollupId('segment', query.segment);
      const list = `${query.aspect ?? ANY}|${query.label ?? ANY}`;
      // Each shard keeps its newest `verbatimCap`, so the scope's newest `verbatimCap` are all there.
      const ranked = await Promise.all(
        shards.map((s) => redis.zrevrange(keys.verbatimList(s, rid, list), 0, verbatimCap - 1, 'WITHSCORES')),
      );
      const entries: { shard: number; id: string; at: number }[] = [];
      ranked.forEach((flat, shard) => {
        for (let i = 0; i + 1 < flat.length; i += 2)
          entries.push({ shard, id: flat[i]!, at: Number(flat[i + 1]) });
      });
      entries.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const after = query.after;
      const candidates = entries
        .slice(0, verbatimCap)
        .filter((e) => !after || e.at < after.at || (e.at === after.at && e.id < after.id));
      const language = query.language?.toLowerCase();
      const matches = (v: Verbatim) =>
        language === undefined ||
        (v.language !== undefined &&
          (v.language.toLowerCase() === language || v.language.toLowerCase().startsWith(`${language}-`)));
      // Bodies are read in chunks until one more than the page is found (so `next` is exact).
      const found: { entry: (typeof entries)[number]; body: Verbatim }[] = [];
      const chunk = Math.max(query.limit + 1, 50);
      for (let at = 0; at < candidates.length && found.length <= query.limit; at += chunk) {
        const part = candidates.slice(at, at + chunk);
        const raw = await Promise.all(part.map((e) => redis.hget(keys.verbatims(e.shard), e.id)));
        part.forEach((entry, i) => {
          const value = raw[i];
          if (!value || found.length > query.limit) return;
          const body = JSON.parse(value) as Verbatim;
          if (matches(body)) found.push({ entry, body });
        });
      }
      const page = found.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((f) => f.body),
        next: found.length > query.limit && last ? { at: last.entry.at, id: last.entry.id } : null,
      };
    },
  };
}
