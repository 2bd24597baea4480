import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@vocflow/clients';
import type { CustomerProfile, FeedbackAlert } from '@vocflow/contracts';
import { saveAlerts } from './alert-list.ts';
import { READ_SCRIPT, WRITE_SCRIPT } from './apply.script.ts';
import { type Contribution, DEFAULT_VERBATIMS_PER_SCOPE } from './contribution.ts';
import { createKeyspace, type Keyspace, type KeyspaceOptions } from './keys.ts';
import {
  ALL,
  addInto,
  type BucketKind,
  boundMap,
  boundRollups,
  type CompiledFields,
  compileFields,
  DAY,
  decodeSlot,
  encodeSlot,
  HOUR,
  isAlive,
  markSeen,
  newRollupCache,
  type RollupCache,
  type Slot,
  setSlot,
  slotIn,
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

/** A version as recorded in the shard's version hash (JSON): what it added, to subtract when replaced. */
interface VersionRecord {
  readonly v: number;
  readonly r: number;
  /** Customer key. */
  readonly c: string;
  /** Rollup ids. */
  readonly s: readonly string[];
  /** Segments. */
  readonly g: readonly string[];
  readonly h: string;
  readonly d: string;
  readonly f: Readonly<Record<string, number>>;
  /** Verbatim lists (`<aspect|*>|<label|*>`) it went into in each of its non-customer rollups. */
  readonly x?: readonly string[];
}

/**
 * What a writer holds of a shard it owns: the applied versions, the rollup buckets and the latest-list
 * sizes it has read or written. Redis stays the source of truth: anything may be dropped and re-read,
 * because nobody else writes the shard while this writer's token owns it.
 */
interface ShardState {
  readonly token: string;
  /** feedbackId → recorded version (null: none recorded). */
  readonly versions: Map<string, VersionRecord | null>;
  /** Rollup id → its buckets held in memory. */
  readonly rollups: Map<string, RollupCache>;
  /** Latest-feedback list key → its size (an upper bound). */
  readonly lists: Map<string, number>;
  /** Counts the batches applied (marks what a batch touched). */
  batches: number;
}

/** A script call: one key and its arguments (passed as one array: a batch can have 100,000 of them). */
type ScriptCommand = (key: string, args: readonly string[]) => Promise<unknown>;

/** Registers a script once per client (ioredis sends EVALSHA and falls back to EVAL). */
function scriptCommand(redis: RedisClient, name: string, lua: string): ScriptCommand {
  const client = redis as unknown as Record<string, ScriptCommand | undefined>;
  if (!client[name]) redis.defineCommand(name, { numberOfKeys: 1, lua });
  const command = client[name] as ScriptCommand;
  // ioredis flattens array arguments into the command's arguments.
  return (key, args) => command.call(redis, key, args);
}

/** Lua's unpack() has a C-stack limit of about 8,000 values; stay well below it per command. */
const MAX_ARGS_PER_COMMAND = 4_000;

function newer(item: { v: number; r: number }, prev: VersionRecord | null | undefined): boolean {
  return !prev || item.v > prev.v || (item.v === prev.v && item.r > prev.r);
}

/** A bucket the batch touched, with what it takes to write it. */
interface Touched {
  readonly slot: Slot;
  readonly rid: string;
  readonly kind: BucketKind;
  readonly bucket: string;
}

/** One bucket to read: where its slot goes once read. */
interface Wanted {
  readonly key: string;
  readonly rid: string;
  readonly kind: BucketKind;
  readonly bucket: string;
}

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
  const compiled = new WeakMap<VersionRecord, CompiledFields>();
  const fieldsOf = (rec: VersionRecord): CompiledFields => {
    let fields = compiled.get(rec);
    if (!fields) {
      fields = compileFields(rec.f);
      compiled.set(rec, fields);
    }
    return fields;
  };

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
      const recs = batch.map(
        (c): VersionRecord => ({
          v: c.version,
          r: c.revision,
          c: c.customerKey,
          s: c.rollupIds,
          g: c.segments,
          h: c.hour,
          d: c.day,
          f: c.fields,
          ...(c.verbatim ? { x: c.verbatim.lists } : {}),
        }),
      );
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

      const touched: Touched[] = [];
      /** The rollups this batch used (trimmed once it is written). */
      const used: RollupCache[] = [];
      const touch = (rid: string, cache: RollupCache, kind: BucketKind, bucket: string): Slot => {
        const slot = slotIn(cache, kind, bucket)!;
        if (slot.touchedIn !== batchNo) {
          slot.touchedIn = batchNo;
          slot.wasAlive = isAlive(slot);
          touched.push({ slot, rid, kind, bucket });
        }
        return slot;
      };
      const add = (rec: VersionRecord, sign: 1 | -1) => {
        const fields = fieldsOf(rec);
        for (const rid of rec.s) {
          const cache = owned.rollups.get(rid)!;
          if (markSeen(cache, batchNo)) used.push(cache);
          addInto(touch(rid, cache, ALL, ''), fields, sign);
          // Buckets past their retention are gone from Redis: they take no part any more.
          if (kept(DAY, rec.d, now)) addInto(touch(rid, cache, DAY, rec.d), fields, sign);
          if (kept(HOUR, rec.h, now)) addInto(touch(rid, cache, HOUR, rec.h), fields, sign);
        }
      };

      const versionArgs: string[] = [];
      const summaryArgs: string[] = [];
      /** List key → feedbackId → event time. */
      const listAdds = new Map<string, Map<string, number>>();
      const listRemoves = new Map<string, string[]>();
      /** Verbatim list key → feedbackId → event time; ids to take out of lists; bodies to write. */
      const verbatimAdds = new Map<string, Map<string, number>>();
      const verbatimRemoves = new Map<string, Set<string>>();
      const verbatimBodies = new Map<string, string>();
      const verbatimKeys = (rec: VersionRecord) =>
        rec.s
          .filter((rid) => !rid.startsWith('c:'))
          .flatMap((rid) => (rec.x ?? []).map((list) => keys.verbatimList(shard, rid, list)));
      const customers = new Set<string>();
      const segments = new Set<string>();
      const days = new Set<string>();
      let applied = 0;
      for (let i = 0; i < batch.length; i++) {
        const c = batch[i]!;
        const prev = owned.versions.get(c.feedbackId);
        if (!newer({ v: c.version, r: c.revision }, prev)) continue;
        const rec = recs[i]!;
        if (prev) {
          add(prev, -1);
          if (kept(DAY, prev.d, now)) days.add(prev.d);
          if (prev.c !== rec.c) {
            const lf = listKey(prev.c);
            // Added earlier in this batch (an earlier version) or already in Redis: either way, out.
            listAdds.get(lf)?.delete(c.feedbackId);
            const removes = listRemoves.get(lf) ?? [];
            listRemoves.set(lf, removes);
            removes.push(c.feedbackId);
          }
        }
        if (prev) {
          for (const key of verbatimKeys(prev)) {
            verbatimAdds.get(key)?.delete(c.feedbackId);
            const removes = verbatimRemoves.get(key) ?? new Set<string>();
            verbatimRemoves.set(key, removes);
            removes.add(c.feedbackId);
          }
        }
        if (c.verbatim) {
          verbatimBodies.set(c.feedbackId, JSON.stringify(c.verbatim.body));
          for (const key of verbatimKeys(rec)) {
            const adds = verbatimAdds.get(key) ?? new Map<string, number>();
            verbatimAdds.set(key, adds);
            adds.set(c.feedbackId, c.occurredAtMs);
          }
        } else {
          verbatimBodies.delete(c.feedbackId);
        }
        add(rec, 1);
        if (kept(DAY, rec.d, now)) days.add(rec.d);
        owned.versions.set(c.feedbackId, rec);
        versionArgs.push(c.feedbackId, JSON.stringify(rec));
        summaryArgs.push(c.feedbackId, JSON.stringify(c.summary));
        const lf = listKey(rec.c);
        const adds = listAdds.get(lf) ?? new Map<string, number>();
        listAdds.set(lf, adds);
        adds.set(c.feedbackId, c.occurredAtMs);
        customers.add(rec.c);
        for (const segment of rec.g) segments.add(segment);
        applied += 1;
      }
      if (applied === 0) return { applied, changed: [], commands };

      const ops: string[] = [owned.token];
      /** Queues a command; long argument lists (pairs, so the chunk size is even) become several. */
      const push = (command: string, key: string, args: readonly string[]) => {
        for (let at = 0; at === 0 || at < args.length; at += MAX_ARGS_PER_COMMAND) {
          const end = Math.min(args.length, at + MAX_ARGS_PER_COMMAND);
          ops.push(command, key, String(end - at));
          for (let i = at; i < end; i++) ops.push(args[i]!);
        }
      };
      const changed: ChangedRollup[] = [];
      const sets: string[] = [];
      /** Hour and day buckets: key, value and expiry time (each its own SET … PXAT). */
      const expiringSets: [string, string, number][] = [];
      const deletes: string[] = [];
      const dayAdds = new Map<string, string[]>();
      const dayRemoves = new Map<string, string[]>();
      for (const { slot, rid, kind, bucket } of touched) {
        const suffix = suffixOf(kind, bucket);
        const key = keys.rollupBySuffix(shard, rid, suffix);
        const alive = isAlive(slot);
        changed.push({ rollupId: rid, bucket: suffix });
        if (alive && kind === ALL) {
          sets.push(key, encodeSlot(slot, now));
        } else if (alive) {
          expiringSets.push([key, encodeSlot(slot, now), expiresAt(kind, bucket)]);
        } else {
          slot.values = [];
          deletes.push(key);
        }
        if (kind === DAY && alive !== slot.wasAlive) {
          const byDay = alive ? dayAdds : dayRemoves;
          const members = byDay.get(bucket) ?? [];
          byDay.set(bucket, members);
          members.push(rid);
        }
      }
      // MSET and DEL take several keys: the op's key is the first of them.
      for (let at = 0; at < sets.length; at += MAX_ARGS_PER_COMMAND) {
        const part = sets.slice(at, at + MAX_ARGS_PER_COMMAND);
        push('MSET', part[0]!, part.slice(1));
      }
      for (const [key, value, at] of expiringSets) push('SET', key, [value, 'PXAT', String(at)]);
      for (let at = 0; at < deletes.length; at += MAX_ARGS_PER_COMMAND) {
        const part = deletes.slice(at, at + MAX_ARGS_PER_COMMAND);
        push('DEL', part[0]!, part.slice(1));
      }
      for (const [day, members] of dayAdds) {
        push('SADD', keys.dayMembers(shard, day), members);
        push('PEXPIREAT', keys.dayMembers(shard, day), [String(expiresAt(DAY, day))]);
      }
      for (const [day, members] of dayRemoves) push('SREM', keys.dayMembers(shard, day), members);
      push('HSET', keys.versions(shard), versionArgs);
      push('HSET', keys.summaries(shard), summaryArgs);
      // Verbatims: out of the replaced versions' lists, then the new bodies, then into the lists.
      const refs = keys.verbatimRefs(shard);
      const bodies = keys.verbatims(shard);
      // Each VREM/VADD carries its own leading arguments: keep it under push's chunk size (even, for pairs).
      const step = MAX_ARGS_PER_COMMAND - 4;
      for (const [key, ids] of verbatimRemoves) {
        const all = [...ids];
        for (let at = 0; at < all.length; at += step)
          push('VREM', key, [refs, bodies, ...all.slice(at, at + step)]);
      }
      if (verbatimBodies.size > 0) push('HSET', bodies, [...verbatimBodies].flat());
      for (const [key, adds] of verbatimAdds) {
        if (adds.size === 0) continue;
        const pairs: string[] = [];
        for (const [id, at] of adds) pairs.push(String(at), id);
        for (let at = 0; at < pairs.length; at += step)
          push('VADD', key, [refs, ...pairs.slice(at, at + step)]);
      }
      for (const [key, adds] of verbatimAdds)
        if (adds.size > 0) push('VTRIM', key, [refs, bodies, String(verbatimCap)]);
      for (const [lf, members] of listRemoves) {
        push('ZREM', lf, members);
        owned.lists.set(lf, Math.max(0, (owned.lists.get(lf) ?? 0) - members.length));
      }
      for (const [lf, adds] of listAdds) {
        if (adds.size === 0) continue;
        const args: string[] = [];
        for (const [id, at] of adds) args.push(String(at), id);
        push('ZADD', lf, args);
        const size = (owned.lists.get(lf) ?? 0) + adds.size;
        // Trimmed only when well over the cap, so a list is trimmed once per `cap` new items.
        if (size > 2 * cap) {
          push('TRIM', lf, [String(cap), keys.summaries(shard)]);
          owned.lists.set(lf, cap);
        } else {
          owned.lists.set(lf, size);
        }
      }
      push('SADD', keys.customers(shard), [...customers]);
      if (segments.size > 0) push('SADD', keys.segments(shard), [...segments]);
      if (days.size > 0) push('SADD', keys.dirtyDays(shard), [...days]);
      await write(keys.owner(shard), ops);
      commands += 1;
      for (const cache of used) trimBuckets(cache);
      return { applied, changed, commands };
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
