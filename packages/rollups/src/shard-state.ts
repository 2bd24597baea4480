import { bucketSuffix } from './keys.ts';
import { FIELDS, UPDATED_FIELD } from './metrics.ts';

/**
 * The in-memory side of the rollup writer: what it holds of a shard it owns, laid out so that adding a
 * contribution costs a few array additions. Counter fields get small integer ids (one registry per
 * process) and a bucket's counters are a sparse array indexed by them.
 */

const FIELD_IDS = new Map<string, number>();
const FIELD_NAMES: string[] = [];
/** `"name":` of each field id, ready to be written into a stored value. */
const FIELD_JSON: string[] = [];

export function fieldId(name: string): number {
  let id = FIELD_IDS.get(name);
  if (id === undefined) {
    id = FIELD_NAMES.length;
    FIELD_IDS.set(name, id);
    FIELD_NAMES.push(name);
    FIELD_JSON.push(`${JSON.stringify(name)}:`);
  }
  return id;
}

const COUNT = fieldId(FIELDS.count);

/** A contribution's increments as parallel arrays of field ids and values. */
export interface CompiledFields {
  readonly ids: readonly number[];
  readonly values: readonly number[];
}

export function compileFields(fields: Readonly<Record<string, number>>): CompiledFields {
  const ids: number[] = [];
  const values: number[] = [];
  for (const name in fields) {
    ids.push(fieldId(name));
    values.push(fields[name]!);
  }
  return { ids, values };
}

/** One shard's part of one rollup bucket. */
export interface Slot {
  /** Counter values by field id (holes and zeros: absent). */
  values: number[];
  /** The batch that last touched it, and whether it held anything before that batch. */
  touchedIn: number;
  wasAlive: boolean;
}

export const isAlive = (slot: Slot): boolean => (slot.values[COUNT] ?? 0) !== 0;

export function addInto(slot: Slot, fields: CompiledFields, sign: 1 | -1): void {
  const { ids, values } = fields;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    slot.values[id] = (slot.values[id] ?? 0) + sign * values[i]!;
  }
}

/** A stored bucket value: the JSON object of the non-zero counters plus `u` (see metrics.ts). */
export function encodeSlot(slot: Slot, updatedAtMs: number): string {
  let json = '{';
  const { values } = slot;
  for (let id = 0; id < values.length; id++) {
    const value = values[id];
    if (value) json += `${FIELD_JSON[id]}${value},`;
  }
  return `${json}"${UPDATED_FIELD}":${updatedAtMs}}`;
}

export function decodeSlot(raw: string | null | undefined): Slot {
  const slot: Slot = { values: [], touchedIn: -1, wasAlive: false };
  if (!raw) return slot;
  const stored = JSON.parse(raw) as Record<string, number>;
  for (const name in stored) if (name !== UPDATED_FIELD) slot.values[fieldId(name)] = stored[name]!;
  return slot;
}

/** Bucket kinds, in the order a contribution touches them. */
export const ALL = 0;
export const DAY = 1;
export const HOUR = 2;
export type BucketKind = typeof ALL | typeof DAY | typeof HOUR;

/** What the writer holds of one rollup (overall, a customer, a segment) in one shard. */
export interface RollupCache {
  all: Slot | undefined;
  readonly days: Map<string, Slot>;
  readonly hours: Map<string, Slot>;
  /** The last batch that used it (eviction keeps the busy ones). */
  seen: number;
}

export function newRollupCache(): RollupCache {
  return { all: undefined, days: new Map(), hours: new Map(), seen: -1 };
}

export function slotIn(cache: RollupCache | undefined, kind: BucketKind, bucket: string): Slot | undefined {
  if (!cache) return undefined;
  if (kind === ALL) return cache.all;
  return (kind === DAY ? cache.days : cache.hours).get(bucket);
}

export function setSlot(cache: RollupCache, kind: BucketKind, bucket: string, slot: Slot): void {
  if (kind === ALL) cache.all = slot;
  else (kind === DAY ? cache.days : cache.hours).set(bucket, slot);
}

/** The key suffix of a bucket (`a`, `d:YYYY-MM-DD`, `h:YYYY-MM-DDTHH`). */
export const suffixOf = (kind: BucketKind, bucket: string): string =>
  bucketSuffix(
    kind === ALL ? { granularity: 'all' } : { granularity: kind === DAY ? 'day' : 'hour', bucket },
  );

/**
 * Keeps the rollup caches under `max`: when over, drops the rollups no recent batch used (all of them
 * if that is not enough). Dropped entries are re-read from Redis when needed again.
 */
export function boundRollups(rollups: Map<string, RollupCache>, max: number, batch: number): void {
  if (rollups.size <= max) return;
  for (const [rid, cache] of rollups) if (cache.seen < batch - 1) rollups.delete(rid);
  if (rollups.size > max) rollups.clear();
}

/** Marks a rollup used by `batch`; true the first time in that batch. */
export function markSeen(cache: RollupCache, batch: number): boolean {
  if (cache.seen === batch) return false;
  cache.seen = batch;
  return true;
}

/**
 * Drops the hour and day buckets of a long-lived rollup that holds too many (they are re-read when
 * needed). Only between batches: a batch relies on the buckets it loaded staying there.
 */
export function trimBuckets(cache: RollupCache, max = 2_000): void {
  if (cache.hours.size > max) cache.hours.clear();
  if (cache.days.size > max) cache.days.clear();
}

/** Trims a map that grew past `max` entries by dropping the oldest quarter. */
export function boundMap<K, V>(map: Map<K, V>, max: number): void {
  if (map.size <= max) return;
  let drop = map.size - Math.floor(max * 0.75);
  for (const key of map.keys()) {
    if (drop-- <= 0) break;
    map.delete(key);
  }
}
