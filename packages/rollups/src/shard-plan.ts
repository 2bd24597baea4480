import type { Contribution } from './contribution.ts';
import type { Keyspace } from './keys.ts';
import {
  ALL,
  addInto,
  type BucketKind,
  type CompiledFields,
  compileFields,
  DAY,
  encodeSlot,
  HOUR,
  isAlive,
  markSeen,
  type RollupCache,
  type Slot,
  slotIn,
  suffixOf,
} from './shard-state.ts';

/**
 * One shard's batch in two pure halves, between the writer's reads and its one write:
 * - `planShardWrite`: from what the writer holds of the shard (loaded from Redis) and the batch, what
 *   changes — the delta maths on the buckets, the latest-feedback and verbatim list bookkeeping;
 * - `encodeShardWrite`: that plan as the arguments of the write script (WRITE_SCRIPT).
 */

/** A version as recorded in the shard's version hash (JSON): what it added, to subtract when replaced. */
export interface VersionRecord {
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
export interface ShardState {
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

/** The record a contribution leaves in the version hash. */
export function versionRecordOf(c: Contribution): VersionRecord {
  return {
    v: c.version,
    r: c.revision,
    c: c.customerKey,
    s: c.rollupIds,
    g: c.segments,
    h: c.hour,
    d: c.day,
    f: c.fields,
    ...(c.verbatim ? { x: c.verbatim.lists } : {}),
  };
}

/** Whether an item's (version, revision) is newer than the recorded one (none recorded: it is). */
export function isNewer(item: { v: number; r: number }, prev: VersionRecord | null | undefined): boolean {
  return !prev || item.v > prev.v || (item.v === prev.v && item.r > prev.r);
}

/** A bucket the batch touched: its slot (already updated in memory) and whether it holds anything. */
export interface PlannedBucket {
  readonly rid: string;
  readonly kind: BucketKind;
  readonly bucket: string;
  readonly slot: Slot;
  readonly alive: boolean;
  /** Whether it held anything before the batch (a day bucket's feed-day membership follows it). */
  readonly wasAlive: boolean;
}

/** What one shard's batch changes. */
export interface ShardPlan {
  /** Items whose version was newer than the recorded one (the others change nothing). */
  readonly applied: number;
  readonly buckets: readonly PlannedBucket[];
  /** The rollups the batch used (their old buckets are trimmed from memory once written). */
  readonly used: readonly RollupCache[];
  /** Version hash and summary hash entries, as field/value pairs. */
  readonly versions: readonly string[];
  readonly summaries: readonly string[];
  /** Latest-feedback list key → feedbackId → event time; ids to take out; lists to trim to the cap. */
  readonly listAdds: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly listRemoves: ReadonlyMap<string, readonly string[]>;
  readonly listTrims: ReadonlySet<string>;
  /** Verbatim list key → feedbackId → event time; ids to take out of lists; bodies to write. */
  readonly verbatimAdds: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly verbatimRemoves: ReadonlyMap<string, ReadonlySet<string>>;
  readonly verbatimBodies: ReadonlyMap<string, string>;
  readonly customers: ReadonlySet<string>;
  readonly segments: ReadonlySet<string>;
  /** Days whose feeds must be rewritten. */
  readonly days: ReadonlySet<string>;
}

export interface PlanContext {
  readonly keys: Keyspace;
  readonly shard: number;
  /** Latest feedback summaries kept per customer. */
  readonly latestPerCustomer: number;
  /** Whether a bucket is still kept (a bucket past its retention takes no part any more). */
  readonly kept: (kind: BucketKind, bucket: string) => boolean;
}

const compiled = new WeakMap<VersionRecord, CompiledFields>();
function fieldsOf(rec: VersionRecord): CompiledFields {
  let fields = compiled.get(rec);
  if (!fields) {
    fields = compileFields(rec.f);
    compiled.set(rec, fields);
  }
  return fields;
}

function entryOf<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

/**
 * Plans one shard's batch against what the state holds (every version, bucket and list the batch
 * needs must be loaded): each newer item subtracts the version it replaces and adds its own, in the
 * state's buckets, and records its version in the state; the plan lists what to write. `recs[i]` is
 * `versionRecordOf(batch[i])`.
 *
 * Long because one loop decides, per item and in batch order, what it takes out and puts in (buckets,
 * latest list, verbatim lists): an earlier version in the same batch must see the later one's changes.
 */
export function planShardWrite(
  state: ShardState,
  batch: readonly Contribution[],
  recs: readonly VersionRecord[],
  ctx: PlanContext,
): ShardPlan {
  const { keys, shard, kept } = ctx;
  const batchNo = state.batches;
  const listKey = (customer: string) => keys.latest(shard, customer);
  const touched: { slot: Slot; rid: string; kind: BucketKind; bucket: string }[] = [];
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
      const cache = state.rollups.get(rid)!;
      if (markSeen(cache, batchNo)) used.push(cache);
      addInto(touch(rid, cache, ALL, ''), fields, sign);
      // Buckets past their retention are gone from Redis: they take no part any more.
      if (kept(DAY, rec.d)) addInto(touch(rid, cache, DAY, rec.d), fields, sign);
      if (kept(HOUR, rec.h)) addInto(touch(rid, cache, HOUR, rec.h), fields, sign);
    }
  };
  const verbatimKeys = (rec: VersionRecord) =>
    rec.s
      .filter((rid) => !rid.startsWith('c:'))
      .flatMap((rid) => (rec.x ?? []).map((list) => keys.verbatimList(shard, rid, list)));

  const versions: string[] = [];
  const summaries: string[] = [];
  const listAdds = new Map<string, Map<string, number>>();
  const listRemoves = new Map<string, string[]>();
  const verbatimAdds = new Map<string, Map<string, number>>();
  const verbatimRemoves = new Map<string, Set<string>>();
  const verbatimBodies = new Map<string, string>();
  const customers = new Set<string>();
  const segments = new Set<string>();
  const days = new Set<string>();
  let applied = 0;
  for (let i = 0; i < batch.length; i++) {
    const c = batch[i]!;
    const prev = state.versions.get(c.feedbackId);
    if (!isNewer({ v: c.version, r: c.revision }, prev)) continue;
    const rec = recs[i]!;
    if (prev) {
      add(prev, -1);
      if (kept(DAY, prev.d)) days.add(prev.d);
      if (prev.c !== rec.c) {
        const lf = listKey(prev.c);
        // Added earlier in this batch (an earlier version) or already in Redis: either way, out.
        listAdds.get(lf)?.delete(c.feedbackId);
        entryOf(listRemoves, lf, () => []).push(c.feedbackId);
      }
      for (const key of verbatimKeys(prev)) {
        verbatimAdds.get(key)?.delete(c.feedbackId);
        entryOf(verbatimRemoves, key, () => new Set()).add(c.feedbackId);
      }
    }
    if (c.verbatim) {
      verbatimBodies.set(c.feedbackId, JSON.stringify(c.verbatim.body));
      for (const key of verbatimKeys(rec))
        entryOf(verbatimAdds, key, () => new Map()).set(c.feedbackId, c.occurredAtMs);
    } else {
      verbatimBodies.delete(c.feedbackId);
    }
    add(rec, 1);
    if (kept(DAY, rec.d)) days.add(rec.d);
    state.versions.set(c.feedbackId, rec);
    versions.push(c.feedbackId, JSON.stringify(rec));
    summaries.push(c.feedbackId, JSON.stringify(c.summary));
    entryOf(listAdds, listKey(rec.c), () => new Map()).set(c.feedbackId, c.occurredAtMs);
    customers.add(rec.c);
    for (const segment of rec.g) segments.add(segment);
    applied += 1;
  }

  const buckets: PlannedBucket[] = [];
  for (const { slot, rid, kind, bucket } of touched) {
    const alive = isAlive(slot);
    // An empty bucket is deleted in Redis: hold no leftover zeros for it either.
    if (!alive) slot.values = [];
    buckets.push({ rid, kind, bucket, slot, alive, wasAlive: slot.wasAlive });
  }
  const listTrims = planListSizes(state.lists, listRemoves, listAdds, ctx.latestPerCustomer);
  return {
    applied,
    buckets,
    used,
    versions,
    summaries,
    listAdds,
    listRemoves,
    listTrims,
    verbatimAdds,
    verbatimRemoves,
    verbatimBodies,
    customers,
    segments,
    days,
  };
}

/**
 * Keeps the held latest-list sizes (upper bounds) up to date with the removals and additions, and
 * returns the lists to trim: trimmed only when well over the cap, so a list is trimmed once per `cap`
 * new items.
 */
function planListSizes(
  sizes: Map<string, number>,
  removes: ReadonlyMap<string, readonly string[]>,
  adds: ReadonlyMap<string, ReadonlyMap<string, number>>,
  cap: number,
): Set<string> {
  const trims = new Set<string>();
  for (const [lf, members] of removes) sizes.set(lf, Math.max(0, (sizes.get(lf) ?? 0) - members.length));
  for (const [lf, ids] of adds) {
    if (ids.size === 0) continue;
    const size = (sizes.get(lf) ?? 0) + ids.size;
    if (size > 2 * cap) {
      trims.add(lf);
      sizes.set(lf, cap);
    } else {
      sizes.set(lf, size);
    }
  }
  return trims;
}

/** Lua's unpack() has a C-stack limit of about 8,000 values; stay well below it per command. */
export const MAX_ARGS_PER_COMMAND = 4_000;

export interface EncodeContext {
  readonly keys: Keyspace;
  readonly shard: number;
  readonly token: string;
  readonly now: number;
  readonly latestPerCustomer: number;
  readonly verbatimsPerScope: number;
  /** When an hour or day bucket expires in Redis. */
  readonly expiresAt: (kind: BucketKind, bucket: string) => number;
}

/**
 * The write script's arguments for a plan: the owner token, then commands as `name, key, count,
 * args…`; an argument list over MAX_ARGS_PER_COMMAND becomes several commands.
 */
export function encodeShardWrite(plan: ShardPlan, ctx: EncodeContext): string[] {
  const { keys, shard, now, expiresAt } = ctx;
  const ops: string[] = [ctx.token];
  /** Queues a command; long argument lists (pairs, so the chunk size is even) become several. */
  const push = (command: string, key: string, args: readonly string[]) => {
    for (let at = 0; at === 0 || at < args.length; at += MAX_ARGS_PER_COMMAND) {
      const end = Math.min(args.length, at + MAX_ARGS_PER_COMMAND);
      ops.push(command, key, String(end - at));
      for (let i = at; i < end; i++) ops.push(args[i]!);
    }
  };
  const sets: string[] = [];
  /** Hour and day buckets: key, value and expiry time (each its own SET … PXAT). */
  const expiringSets: [string, string, number][] = [];
  const deletes: string[] = [];
  const dayAdds = new Map<string, string[]>();
  const dayRemoves = new Map<string, string[]>();
  for (const { slot, rid, kind, bucket, alive, wasAlive } of plan.buckets) {
    const key = keys.rollupBySuffix(shard, rid, suffixOf(kind, bucket));
    if (alive && kind === ALL) sets.push(key, encodeSlot(slot, now));
    else if (alive) expiringSets.push([key, encodeSlot(slot, now), expiresAt(kind, bucket)]);
    else deletes.push(key);
    if (kind === DAY && alive !== wasAlive) entryOf(alive ? dayAdds : dayRemoves, bucket, () => []).push(rid);
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
  push('HSET', keys.versions(shard), plan.versions);
  push('HSET', keys.summaries(shard), plan.summaries);
  // Verbatims: out of the replaced versions' lists, then the new bodies, then into the lists.
  const refs = keys.verbatimRefs(shard);
  const bodies = keys.verbatims(shard);
  // Each VREM/VADD carries its own leading arguments: keep it under push's chunk size (even, for pairs).
  const step = MAX_ARGS_PER_COMMAND - 4;
  for (const [key, ids] of plan.verbatimRemoves) {
    const all = [...ids];
    for (let at = 0; at < all.length; at += step)
      push('VREM', key, [refs, bodies, ...all.slice(at, at + step)]);
  }
  if (plan.verbatimBodies.size > 0) push('HSET', bodies, [...plan.verbatimBodies].flat());
  for (const [key, adds] of plan.verbatimAdds) {
    if (adds.size === 0) continue;
    const pairs: string[] = [];
    for (const [id, at] of adds) pairs.push(String(at), id);
    for (let at = 0; at < pairs.length; at += step)
      push('VADD', key, [refs, bodies, ...pairs.slice(at, at + step)]);
  }
  for (const [key, adds] of plan.verbatimAdds)
    if (adds.size > 0) push('VTRIM', key, [refs, bodies, String(ctx.verbatimsPerScope)]);
  for (const [lf, members] of plan.listRemoves) push('ZREM', lf, members);
  for (const [lf, adds] of plan.listAdds) {
    if (adds.size === 0) continue;
    const args: string[] = [];
    for (const [id, at] of adds) args.push(String(at), id);
    push('ZADD', lf, args);
    if (plan.listTrims.has(lf)) push('TRIM', lf, [String(ctx.latestPerCustomer), keys.summaries(shard)]);
  }
  push('SADD', keys.customers(shard), [...plan.customers]);
  if (plan.segments.size > 0) push('SADD', keys.segments(shard), [...plan.segments]);
  if (plan.days.size > 0) push('SADD', keys.dirtyDays(shard), [...plan.days]);
  return ops;
}
