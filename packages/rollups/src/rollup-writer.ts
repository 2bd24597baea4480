import { randomUUID } from 'node:crypto';
import { type RedisClient, scriptCommand } from '@vocflow/clients';
import type { CustomerProfile, FeedbackAlert } from '@vocflow/contracts';
import { saveAlerts } from './alert-list.ts';
import { READ_SCRIPT, WRITE_SCRIPT } from './apply.script.ts';
import { type Contribution, DEFAULT_VERBATIMS_PER_SCOPE } from './contribution.ts';
import { createKeyspace, type Keyspace, type KeyspaceOptions } from './keys.ts';
import {
  encodeShardWrite,
  MAX_ARGS_PER_COMMAND,
  planShardWrite,
  type ShardState,
  type VersionRecord,
  versionRecordOf,
} from './shard-plan.ts';
import {
  ALL,
  type BucketKind,
  boundMap,
  boundRollups,
  DAY,
  decodeSlot,
  HOUR,
  newRollupCache,
  setSlot,
  suffixOf,
  trimBuckets,
} from './shard-state.ts';

export interface RollupWriterOptions extends KeyspaceOptions {
  /** Latest feedback summaries kept per customer. Default 20. */
  readonly latestPerCustomer?: number;
  /** Recent alerts kept. Default 200. */
  readonly alertsKept?: number;
  /** Applied versions held in memory per owned shard (the rest is re-read when needed). Default 10,000. */
  readonly cachedVersionsPerShard?: number;
  /** Rollups (overall, customers, segments) whose buckets are held in memory per owned shard. Default 5,000. */
  readonly cachedRollupsPerShard?: number;
  /** Newest comments kept per verbatim list (rollup × aspect × label) and shard. Default 200. */
  readonly verbatimsPerScope?: number;
  /** Days an hour bucket is kept after its hour ends (it expires in Redis then). Default 90. */
  readonly hourRetentionDays?: number;
  /** Days a day bucket (and its feed-day membership) is kept after its day ends. Default 1,095 (3 years). */
  readonly dayRetentionDays?: number;
}

/** How long hour and day buckets are kept unless configured otherwise. */
export const DEFAULT_HOUR_RETENTION_DAYS = 90;
export const DEFAULT_DAY_RETENTION_DAYS = 1_095;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * When a bucket expires: the end of its hour or day plus the retention. A bucket past it is neither
 * read nor written (adding to it would bring back a key Redis already dropped, or leave a negative
 * count when a version inside it is replaced); the all-time bucket never expires.
 */
export function bucketExpiresAt(
  granularity: 'hour' | 'day',
  bucket: string,
  retention: { hourRetentionDays: number; dayRetentionDays: number },
): number {
  if (granularity === 'hour')
    return Date.parse(`${bucket}:00:00Z`) + HOUR_MS + retention.hourRetentionDays * DAY_MS;
  return Date.parse(`${bucket}T00:00:00Z`) + DAY_MS + retention.dayRetentionDays * DAY_MS;
}

/** A rollup that changed: its id (`o`, `c:…`, `s:…`) and bucket (`a`, `d:YYYY-MM-DD`, `h:YYYY-MM-DDTHH`). */
export interface ChangedRollup {
  readonly rollupId: string;
  readonly bucket: string;
}

export interface ApplyOutcome {
  /** Items whose version was newer than the recorded one (the others changed nothing). */
  readonly applied: number;
  readonly changed: readonly ChangedRollup[];
  /** Redis commands sent (per shard touched: a claim when newly owned, reads of what is not in memory, one write). */
  readonly commands: number;
}

export interface RollupWriter {
  readonly keyspace: Keyspace;
  /**
   * Applies contributions exactly once. Per shard: the writer claims the shard (a token in Redis that
   * fences out any previous writer), reads what it does not hold in memory, checks each item's
   * (version, revision) against the recorded one, subtracts a replaced version's increments and adds
   * the new ones in memory, and writes the result in one atomic script call that is refused if the
   * shard was claimed by another writer since. Rejects when Redis fails or the write was fenced; then
   * nothing of that shard's batch was applied, the writer forgets the shard, and retrying is safe.
   */
  apply(contributions: readonly Contribution[], now?: number): Promise<ApplyOutcome>;
  /** Forgets what it holds of every shard: the next apply claims them again. */
  release(): void;
  saveProfile(profile: CustomerProfile): Promise<void>;
  deleteProfile(customerId: string): Promise<void>;
  /** Keeps the latest alerts (idempotent per alert). */
  saveAlerts(alerts: readonly FeedbackAlert[]): Promise<void>;
}

/** One bucket to read: where its slot goes once read. */
interface Wanted {
  readonly key: string;
  readonly rid: string;
  readonly kind: BucketKind;
  readonly bucket: string;
}

// Long as a whole, short in its parts: the factory holds what the writer keeps between calls (owned
// shards, per-shard queues, bucket expiries) and its named closures — claim, load, applyShard — share
// it; the maths and the script arguments are in shard-plan.ts.
export function createRollupWriter(redis: RedisClient, options: RollupWriterOptions): RollupWriter {
  const keys = createKeyspace(options);
  const cap = options.latestPerCustomer ?? 20;
  const alertsKept = options.alertsKept ?? 200;
  const maxVersions = options.cachedVersionsPerShard ?? 10_000;
  const maxRollups = options.cachedRollupsPerShard ?? 5_000;
  const retention = {
    hourRetentionDays: options.hourRetentionDays ?? DEFAULT_HOUR_RETENTION_DAYS,
    dayRetentionDays: options.dayRetentionDays ?? DEFAULT_DAY_RETENTION_DAYS,
  };
  for (const [name, days] of Object.entries(retention))
    if (!(days > 0)) throw new Error(`${name} must be positive, got ${days}`);
  /** Expiry times by bucket, computed once per bucket name. */
  const expiries = new Map<string, number>();
  const expiresAt = (kind: BucketKind, bucket: string): number => {
    const name = suffixOf(kind, bucket);
    let at = expiries.get(name);
    if (at === undefined) {
      at = bucketExpiresAt(kind === HOUR ? 'hour' : 'day', bucket, retention);
      if (expiries.size >= 100_000) expiries.clear();
      expiries.set(name, at);
    }
    return at;
  };
  /** Whether a bucket is still kept at `now` (the all-time bucket always is). */
  const kept = (kind: BucketKind, bucket: string, now: number): boolean =>
    kind === ALL || expiresAt(kind, bucket) > now;
  const verbatimCap = options.verbatimsPerScope ?? DEFAULT_VERBATIMS_PER_SCOPE;
  if (!Number.isInteger(verbatimCap) || verbatimCap < 1)
    throw new Error(`verbatimsPerScope must be a positive integer, got ${verbatimCap}`);
  const read = scriptCommand(redis, 'vocflowReadRollups', READ_SCRIPT);
  const write = scriptCommand(redis, 'vocflowWriteRollups', WRITE_SCRIPT);
  const states = new Map<number, ShardState>();
  const queues = new Map<number, Promise<unknown>>();

  /** Takes the shard over: from now on any other writer's write to it is refused. */
  const claim = async (shard: number): Promise<ShardState> => {
    const token = randomUUID();
    await redis.set(keys.owner(shard), token);
    const state: ShardState = {
      token,
      versions: new Map(),
      rollups: new Map(),
      lists: new Map(),
      batches: 0,
    };
    states.set(shard, state);
    return state;
  };

  /**
   * Loads what the state lacks of these versions, buckets and lists, in one script call (more only
   * for batches of over 4,000 new ids).
   */
  const load = async (
    shard: number,
    state: ShardState,
    ids: readonly string[],
    recs: readonly VersionRecord[],
    lists: readonly string[],
    now: number,
  ): Promise<number> => {
    const wantIds = [...new Set(ids.filter((id) => !state.versions.has(id)))];
    const wanted: Wanted[] = [];
    const seen = new Set<string>();
    const want = (rid: string, kind: BucketKind, bucket: string) => {
      const key = keys.rollupBySuffix(shard, rid, suffixOf(kind, bucket));
      if (seen.has(key)) return;
      seen.add(key);
      wanted.push({ key, rid, kind, bucket });
    };
    for (const rec of recs) {
      for (const rid of rec.s) {
        const cache = state.rollups.get(rid);
        if (!cache?.all) want(rid, ALL, '');
        if (!cache?.days.has(rec.d) && kept(DAY, rec.d, now)) want(rid, DAY, rec.d);
        if (!cache?.hours.has(rec.h) && kept(HOUR, rec.h, now)) want(rid, HOUR, rec.h);
      }
    }
    const wantLists = [...new Set(lists.filter((key) => !state.lists.has(key)))];
    if (wantIds.length + wanted.length + wantLists.length === 0) return 0;
    const idChunks: string[][] = [];
    for (let at = 0; at < wantIds.length; at += MAX_ARGS_PER_COMMAND)
      idChunks.push(wantIds.slice(at, at + MAX_ARGS_PER_COMMAND));
    const calls = Math.max(1, idChunks.length);
    for (let call = 0; call < calls; call++) {
      const idPart = idChunks[call] ?? [];
      const args = [String(idPart.length), ...idPart];
      args.push(String(call === 0 ? wanted.length : 0));
      if (call === 0) for (const w of wanted) args.push(w.key);
      args.push(String(call === 0 ? wantLists.length : 0));
      if (call === 0) for (const key of wantLists) args.push(key);
      const result = (await read(keys.versions(shard), args)) as [
        (string | null)[],
        (string | null)[],
        number[],
      ];
      for (const [i, id] of idPart.entries()) {
        const raw = result[0][i];
        state.versions.set(id, raw ? (JSON.parse(raw) as VersionRecord) : null);
      }
      if (call > 0) continue;
      for (const [i, w] of wanted.entries()) {
        let cache = state.rollups.get(w.rid);
        if (!cache) {
          cache = newRollupCache();
          state.rollups.set(w.rid, cache);
        }
        setSlot(cache, w.kind, w.bucket, decodeSlot(result[1][i]));
      }
      for (const [i, key] of wantLists.entries()) state.lists.set(key, Number(result[2][i] ?? 0));
    }
    return calls;
  };

  const applyShard = async (
    shard: number,
    batch: readonly Contribution[],
    now: number,
  ): Promise<ApplyOutcome> => {
    let commands = 0;
    let state = states.get(shard);
    if (!state) {
      state = await claim(shard);
      commands += 1;
    }
    const owned = state;
    try {
      const batchNo = ++owned.batches;
      boundMap(owned.versions, maxVersions);
      boundRollups(owned.rollups, maxRollups, batchNo);
      boundMap(owned.lists, maxRollups);
      const listKey = (customer: string) => keys.latest(shard, customer);
      const recs = batch.map(versionRecordOf);
      commands += await load(
        shard,
        owned,
        batch.map((c) => c.feedbackId),
        recs,
        recs.map((rec) => listKey(rec.c)),
        now,
      );
      // The buckets and lists of the versions being replaced.
      const prevs = batch.map((c) => owned.versions.get(c.feedbackId)).filter((p) => !!p);
      if (prevs.length > 0)
        commands += await load(
          shard,
          owned,
          [],
          prevs,
          prevs.map((prev) => listKey(prev.c)),
          now,
        );

      const plan = planShardWrite(owned, batch, recs, {
        keys,
        shard,
        latestPerCustomer: cap,
        kept: (kind, bucket) => kept(kind, bucket, now),
      });
      if (plan.applied === 0) return { applied: 0, changed: [], commands };
      const ops = encodeShardWrite(plan, {
        keys,
        shard,
        token: owned.token,
        now,
        latestPerCustomer: cap,
        verbatimsPerScope: verbatimCap,
        expiresAt,
      });
      await write(keys.owner(shard), ops);
      commands += 1;
      for (const cache of plan.used) trimBuckets(cache);
      const changed = plan.buckets.map(
        ({ rid, kind, bucket }): ChangedRollup => ({ rollupId: rid, bucket: suffixOf(kind, bucket) }),
      );
      return { applied: plan.applied, changed, commands };
    } catch (error) {
      // Whatever the state holds may now differ from Redis: drop it; the next call claims afresh.
      states.delete(shard);
      throw error;
    }
  };

  /** Runs calls for one shard one after another (two partitions may share a shard). */
  const serialized = <T>(shard: number, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(shard) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    queues.set(shard, settled);
    void settled.then(() => {
      if (queues.get(shard) === settled) queues.delete(shard);
    });
    return next;
  };

  return {
    keyspace: keys,
    async apply(contributions, now = Date.now()) {
      const byShard = new Map<number, Contribution[]>();
      for (const c of contributions) {
        const shard = keys.shardOf(c.feedbackId);
        const list = byShard.get(shard);
        if (list) list.push(c);
        else byShard.set(shard, [c]);
      }
      const results = await Promise.all(
        [...byShard].map(([shard, batch]) => serialized(shard, () => applyShard(shard, batch, now))),
      );
      return {
        applied: results.reduce((n, r) => n + r.applied, 0),
        changed: results.flatMap((r) => r.changed),
        commands: results.reduce((n, r) => n + r.commands, 0),
      };
    },
    release() {
      states.clear();
    },
    async saveProfile(profile) {
      await redis.set(keys.profile(profile.id), JSON.stringify(profile));
    },
    async deleteProfile(customerId) {
      await redis.del(keys.profile(customerId));
    },
    saveAlerts: (alerts) => saveAlerts(redis, keys, alertsKept, alerts),
  };
}
