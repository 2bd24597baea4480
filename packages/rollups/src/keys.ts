import { kafkaPartitionOf, type RollupScope } from '@vocflow/contracts';

/**
 * The Redis key layout, designed for Redis Cluster.
 *
 * Feedback items are spread over `shards` hash slots by their feedbackId, with Kafka's own key
 * partitioner (murmur2): with as many shards as `feedback.enriched.v1` has partitions (the default,
 * 12), a shard is exactly the partition its items arrive on, so the consumer that owns the partition
 * is the one writer of the shard (see rollup-writer.ts). Everything one item touches
 * lives under its shard's hash tag `{<prefix>:sNN}`: the applied-version record, its part of every
 * rollup it counts in, the latest-feedback index, the known segments/customers and the dirty days. So
 * one script call per shard applies a whole batch atomically, and a rollup's total is the sum of its N
 * shard parts (readers pipeline the N reads).
 *
 * Rollup ids: `o` (overall), `c:<customerKey>`, `s:<segmentId>`. Buckets: `a` (all time),
 * `d:YYYY-MM-DD` and `h:YYYY-MM-DDTHH` by event time (UTC).
 * Keys outside the shards (no script touches them together): customer profiles and recent alerts.
 */
/** The partitions of `feedback.enriched.v1`: one shard per partition. */
export const DEFAULT_SHARDS = 12;

export interface KeyspaceOptions {
  readonly keyPrefix: string;
  readonly shards?: number;
}

export type Bucketed = { granularity: 'all' } | { granularity: 'hour' | 'day'; bucket: string };

export interface Keyspace {
  readonly prefix: string;
  readonly shards: number;
  shardOf(feedbackId: string): number;
  /** `{vf:s07}`: the hash tag every key of a shard starts with. */
  base(shard: number): string;
  /** String: the token of the writer that owns the shard now (see rollup-writer.ts). */
  owner(shard: number): string;
  /** Hash: feedbackId → applied version record. */
  versions(shard: number): string;
  rollup(shard: number, rollupId: string, at: Bucketed): string;
  /** The same key from a bucket suffix (`a`, `d:…`, `h:…`, see bucketSuffix). */
  rollupBySuffix(shard: number, rollupId: string, suffix: string): string;
  /** Sorted set per customer: feedbackIds by event time (the latest N kept). */
  latest(shard: number, customerKey: string): string;
  /** Hash: feedbackId → summary (no free text). */
  summaries(shard: number): string;
  segments(shard: number): string;
  customers(shard: number): string;
  /** Set of days (YYYY-MM-DD) whose rollups changed since the feeds last wrote them. */
  dirtyDays(shard: number): string;
  /** The dirty days a feeds run took and has not finished writing (same hash slot as `dirtyDays`). */
  dirtyDaysWriting(shard: number): string;
  /** Set of rollup ids that have data on a day (what a day's feed contains). */
  dayMembers(shard: number, day: string): string;
  /** Sorted set of a verbatim list: feedbackIds by event time, the newest N kept (see rollup-writer.ts). */
  verbatimList(shard: number, rollupId: string, list: string): string;
  /** Hash: feedbackId → verbatim (redacted text and scores). */
  verbatims(shard: number): string;
  /** Hash: feedbackId → how many verbatim lists hold it (its verbatim goes when none does). */
  verbatimRefs(shard: number): string;
  profile(customerId: string): string;
  /** Sorted set: alert ids by the time each was first listed (see alert-list.ts). */
  alerts(): string;
  /** Hash: alert id → alert (JSON). */
  alertBodies(): string;
  /** Lock held by the instance writing the feeds. */
  feedsLock(): string;
}

export function rollupId(scope: RollupScope, id?: string): string {
  if (scope === 'overall') return 'o';
  return `${scope === 'customer' ? 'c' : 's'}:${id ?? ''}`;
}

export function parseRollupId(rid: string): { scope: RollupScope; id: string } {
  if (rid === 'o') return { scope: 'overall', id: 'overall' };
  return { scope: rid.startsWith('c:') ? 'customer' : 'segment', id: rid.slice(2) };
}

export function bucketSuffix(at: Bucketed): string {
  if (at.granularity === 'all') return 'a';
  return `${at.granularity === 'hour' ? 'h' : 'd'}:${at.bucket}`;
}

export function parseBucket(suffix: string): Bucketed {
  if (suffix.startsWith('h:')) return { granularity: 'hour', bucket: suffix.slice(2) };
  if (suffix.startsWith('d:')) return { granularity: 'day', bucket: suffix.slice(2) };
  return { granularity: 'all' };
}

export function createKeyspace(options: KeyspaceOptions): Keyspace {
  const prefix = options.keyPrefix;
  const shards = options.shards ?? DEFAULT_SHARDS;
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`shards must be a positive integer, got ${shards}`);
  const width = String(shards - 1).length;
  const base = (shard: number) => `{${prefix}:s${String(shard).padStart(width, '0')}}`;
  const rollupBySuffix = (shard: number, rid: string, suffix: string) => `${base(shard)}:r:${rid}:${suffix}`;
  return {
    prefix,
    shards,
    shardOf: (feedbackId) => kafkaPartitionOf(feedbackId, shards),
    base,
    owner: (shard) => `${base(shard)}:owner`,
    versions: (shard) => `${base(shard)}:v`,
    rollupBySuffix,
    rollup: (shard, rid, at) => rollupBySuffix(shard, rid, bucketSuffix(at)),
    latest: (shard, customerKey) => `${base(shard)}:lf:${customerKey}`,
    summaries: (shard) => `${base(shard)}:fs`,
    segments: (shard) => `${base(shard)}:segments`,
    customers: (shard) => `${base(shard)}:customers`,
    dirtyDays: (shard) => `${base(shard)}:dirty`,
    dirtyDaysWriting: (shard) => `${base(shard)}:dirty:writing`,
    dayMembers: (shard, day) => `${base(shard)}:day:${day}`,
    verbatimList: (shard, rid, list) => `${base(shard)}:vl:${rid}|${list}`,
    verbatims: (shard) => `${base(shard)}:vb`,
    verbatimRefs: (shard) => `${base(shard)}:vr`,
    profile: (customerId) => `${prefix}:profile:${customerId}`,
    alerts: () => `{${prefix}:alerts}:ids`,
    alertBodies: () => `{${prefix}:alerts}:by-id`,
    feedsLock: () => `${prefix}:feeds:lock`,
  };
}

/** `2026-11-22T08` and `2026-11-22` of an instant, UTC. */
export function bucketsOf(instant: string | Date): { hour: string; day: string } {
  const iso = (typeof instant === 'string' ? new Date(instant) : instant).toISOString();
  return { hour: iso.slice(0, 13), day: iso.slice(0, 10) };
}

/** Every bucket from `from` to `to` (inclusive of the bucket containing `to`), UTC. */
export function bucketRange(granularity: 'hour' | 'day', from: Date, to: Date, max = 10_000): string[] {
  const step = granularity === 'hour' ? 3_600_000 : 86_400_000;
  const start = Math.floor(from.getTime() / step) * step;
  const out: string[] = [];
  for (let t = start; t <= to.getTime() && out.length < max; t += step) {
    const { hour, day } = bucketsOf(new Date(t));
    out.push(granularity === 'hour' ? hour : day);
  }
  return out;
}
