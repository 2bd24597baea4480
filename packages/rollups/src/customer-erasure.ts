import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@vocflow/clients';
import { UNKNOWN_CUSTOMER } from '@vocflow/contracts';
import type { Contribution } from './contribution.ts';
import { createKeyspace, type Keyspace, type KeyspaceOptions, rollupId } from './keys.ts';

/** A shard's applied-version record as far as erasure reads it (see rollup-writer.ts VersionRecord). */
interface VersionFields {
  readonly c: string;
  readonly s: readonly string[];
  readonly d: string;
  readonly x?: readonly string[];
  readonly [field: string]: unknown;
}

/** What erasing one customer changes in one shard: computed from what was read, then applied at once. */
export interface ShardErasurePlan {
  /** Keys named after the customer: rollup buckets, the latest-feedback list, customer verbatim lists. */
  readonly deleteKeys: string[];
  /** Day-member sets to remove the customer's rollup id from. */
  readonly dayMemberKeys: string[];
  /** The customer's feedback ids: summaries, verbatim bodies and counts removed. */
  readonly feedbackIds: string[];
  /** Verbatim list key → the customer's ids in it (overall and segment lists). */
  readonly verbatimRemovals: Map<string, string[]>;
  /** Version records rewritten without the customer: feedbackId → JSON. */
  readonly versions: Map<string, string>;
  /** Days whose feeds hold the customer (rewritten). */
  readonly days: Set<string>;
}

/**
 * The plan for one shard, pure: `keys` are the shard's keys found by a scan, `versions` its version
 * hash entries, `latest` the ids of the customer's latest-feedback list. A version record of the
 * customer is kept (so a later version of the item still replaces its anonymous contribution) but no
 * longer names them: customer key `unknown`, the customer's rollup out of its rollups, no verbatim lists.
 */
export function planShardErasure(
  keyspace: Keyspace,
  shard: number,
  customerId: string,
  keys: Iterable<string>,
  versions: Iterable<[string, string]>,
  latest: Iterable<string>,
): ShardErasurePlan {
  const base = keyspace.base(shard);
  const rid = `c:${customerId}`;
  const rollupPrefix = `${base}:r:${rid}:`;
  const latestKey = keyspace.latest(shard, customerId);
  const verbatimPrefix = `${base}:vl:${rid}|`;
  const dayPrefix = `${base}:day:`;
  const plan: ShardErasurePlan = {
    deleteKeys: [],
    dayMemberKeys: [],
    feedbackIds: [],
    verbatimRemovals: new Map(),
    versions: new Map(),
    days: new Set(),
  };
  for (const key of keys) {
    if (key.startsWith(rollupPrefix)) {
      plan.deleteKeys.push(key);
      const suffix = key.slice(rollupPrefix.length);
      if (suffix.startsWith('d:')) plan.days.add(suffix.slice(2));
    } else if (key === latestKey || key.startsWith(verbatimPrefix)) plan.deleteKeys.push(key);
    else if (key.startsWith(dayPrefix)) plan.dayMemberKeys.push(key);
  }
  const ids = new Set(latest);
  for (const [feedbackId, raw] of versions) {
    let record: VersionFields;
    try {
      record = JSON.parse(raw) as VersionFields;
    } catch {
      continue;
    }
    if (record.c !== customerId) continue;
    ids.add(feedbackId);
    plan.days.add(record.d);
    const others = record.s.filter((r) => r !== rid);
    for (const r of others) {
      if (r.startsWith('c:')) continue;
      for (const list of record.x ?? []) {
        const key = keyspace.verbatimList(shard, r, list);
        const removals = plan.verbatimRemovals.get(key) ?? [];
        removals.push(feedbackId);
        plan.verbatimRemovals.set(key, removals);
      }
    }
    const { x: _lists, ...rest } = record;
    plan.versions.set(feedbackId, JSON.stringify({ ...rest, c: UNKNOWN_CUSTOMER, s: others }));
  }
  plan.feedbackIds.push(...ids);
  return plan;
}

/**
 * A contribution of an erased customer made anonymous, as enrichment now produces their items: it
 * counts under `unknown` instead of their rollup, and brings no comment back into the verbatim lists.
 * For records that were on their way when the customer was erased (or are replayed later). Pure.
 */
export function withoutCustomer(c: Contribution): Contribution {
  const own = rollupId('customer', c.customerKey);
  const unknown = rollupId('customer', UNKNOWN_CUSTOMER);
  const rollupIds = [...new Set(c.rollupIds.map((rid) => (rid === own ? unknown : rid)))];
  const { verbatim: _comment, ...rest } = c;
  return { ...rest, customerKey: UNKNOWN_CUSTOMER, rollupIds };
}

/** What erasing a customer removed from Redis (counts only: the audit record holds no personal data). */
export interface RollupErasureCounts {
  readonly rollupKeys: number;
  readonly feedbackItems: number;
  readonly verbatims: number;
  readonly alerts: number;
  readonly profiles: number;
  readonly days: string[];
}

const SCAN_COUNT = 1_000;
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

function nodesOf(redis: RedisClient): RedisClient[] {
  const cluster = redis as { nodes?: (role: string) => RedisClient[] };
  return typeof cluster.nodes === 'function' ? cluster.nodes('master') : [redis];
}

/**
 * Removes one customer from the rollups: their rollups (every bucket), latest feedback, verbatims
 * (from every list), their recent alerts and profile; their version records stay, anonymized, so the
 * overall and segment counts keep their numbers and a later version still replaces its contribution.
 * Each shard changes in one transaction that also takes the shard's ownership (a new owner token):
 * a writer holding the shard's state in memory is fenced and reloads it from Redis, so nothing it
 * cached of the customer is written back. The days touched are marked dirty so the feeds rewrite them.
 * Idempotent: running it again finds nothing more to remove.
 */
export async function eraseCustomerRollups(
  redis: RedisClient,
  options: KeyspaceOptions,
  customerId: string,
): Promise<RollupErasureCounts> {
  const keyspace = createKeyspace(options);
  const byShard = new Map<number, string[]>();
  const tagPrefix = `{${keyspace.prefix}:s`;
  for (const node of nodesOf(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(
        cursor,
        'MATCH',
        `${escapeGlob(tagPrefix)}*`,
        'COUNT',
        SCAN_COUNT,
      );
      cursor = next;
      for (const key of found) {
        const end = key.indexOf('}');
        const shard = Number(key.slice(tagPrefix.length, end));
        if (!Number.isInteger(shard)) continue;
        const list = byShard.get(shard) ?? [];
        list.push(key);
        byShard.set(shard, list);
      }
    } while (cursor !== '0');
  }
  let rollupKeys = 0;
  let feedbackItems = 0;
  let verbatims = 0;
  const days = new Set<string>();
  for (let shard = 0; shard < keyspace.shards; shard++) {
    const versions: [string, string][] = [];
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(keyspace.versions(shard), cursor, 'COUNT', SCAN_COUNT);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) versions.push([flat[i]!, flat[i + 1]!]);
    } while (cursor !== '0');
    const latest = await redis.zrange(keyspace.latest(shard, customerId), 0, -1);
    const plan = planShardErasure(keyspace, shard, customerId, byShard.get(shard) ?? [], versions, latest);
    const nothing =
      plan.deleteKeys.length + plan.dayMemberKeys.length + plan.feedbackIds.length + plan.versions.size === 0;
    if (nothing) continue;
    const bodies = keyspace.verbatims(shard);
    const present = plan.feedbackIds.length > 0 ? await redis.hmget(bodies, ...plan.feedbackIds) : [];
    const tx = redis.multi();
    tx.set(keyspace.owner(shard), randomUUID());
    if (plan.deleteKeys.length > 0) tx.del(...plan.deleteKeys);
    for (const key of plan.dayMemberKeys) tx.srem(key, `c:${customerId}`);
    tx.srem(keyspace.customers(shard), customerId);
    for (const [key, ids] of plan.verbatimRemovals) tx.zrem(key, ...ids);
    if (plan.feedbackIds.length > 0) {
      tx.hdel(keyspace.summaries(shard), ...plan.feedbackIds);
      tx.hdel(bodies, ...plan.feedbackIds);
      tx.hdel(keyspace.verbatimRefs(shard), ...plan.feedbackIds);
    }
    if (plan.versions.size > 0) tx.hset(keyspace.versions(shard), ...[...plan.versions].flat());
    if (plan.days.size > 0) tx.sadd(keyspace.dirtyDays(shard), ...plan.days);
    const results = await tx.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed)
      throw new Error(`erasure of shard ${shard} failed: ${failed?.[0]?.message ?? 'aborted'}`);
    rollupKeys += plan.deleteKeys.filter((k) => k.includes(':r:')).length;
    feedbackItems += plan.feedbackIds.length;
    verbatims += present.filter((v) => v !== null).length;
    for (const day of plan.days) days.add(day);
  }
  const alerts = await eraseAlerts(redis, keyspace, customerId);
  const profiles = await redis.del(keyspace.profile(customerId));
  return { rollupKeys, feedbackItems, verbatims, alerts, profiles, days: [...days].sort() };
}

/** The customer's entries of the recent-alerts list (bounded by RECENT_ALERTS_KEPT). */
async function eraseAlerts(redis: RedisClient, keyspace: Keyspace, customerId: string): Promise<number> {
  const bodies = await redis.hgetall(keyspace.alertBodies());
  const ids: string[] = [];
  for (const [id, raw] of Object.entries(bodies)) {
    try {
      if ((JSON.parse(raw) as { customerKey?: string }).customerKey === customerId) ids.push(id);
    } catch {
      // not an alert body: left alone
    }
  }
  if (ids.length === 0) return 0;
  await redis
    .multi()
    .zrem(keyspace.alerts(), ...ids)
    .hdel(keyspace.alertBodies(), ...ids)
    .exec();
  return ids.length;
}
