import { type RedisClient, scriptCommand } from '@vocflow/clients';
import { EnrichedFeedback } from '@vocflow/contracts';
import { RetryableError } from '@vocflow/kafka';
import { type RefKey, refKeys } from './customer-table.store.ts';

/**
 * Enriched items whose customer was unknown, filed under each reference they carry until the
 * profile arrives. Layout: one hash per reference, `{prefix}:unlinked:{id|email|handle}:<value>`,
 * field = feedbackId, value = the enriched record as produced; the key expires `ttlSeconds` after the
 * last item was filed under it.
 */
export interface UnlinkedStore {
  /** Files the records; `json` gives a record's JSON when the caller already has it (as produced). */
  park(
    records: readonly EnrichedFeedback[],
    json?: (record: EnrichedFeedback) => string | undefined,
  ): Promise<void>;
  /** Every item filed under any of these references (deduplicated by feedbackId). */
  find(keys: readonly RefKey[]): Promise<EnrichedFeedback[]>;
  /** Removes the item from every reference it was filed under, unless a newer record replaced it. */
  remove(record: EnrichedFeedback): Promise<void>;
  /**
   * The waiting items a page at a time, from `from` (the start when undefined). Each page says how
   * many keys it covered and where the next one starts (`undefined` after the last), so a sweep can
   * stop after a bounded amount of work and resume there. With `wanted`, only the items filed under a
   * reference it accepts are read (the keys it refuses still count as covered).
   */
  scan(from?: SweepCursor, wanted?: (ref: RefKey) => boolean): AsyncIterable<UnlinkedPage>;
}

/** A position in a pass over every node's keys (the Redis SCAN cursor of one node). */
export interface SweepCursor {
  readonly node: number;
  readonly cursor: string;
}

export interface UnlinkedPage {
  readonly records: EnrichedFeedback[];
  readonly keys: number;
  readonly next: SweepCursor | undefined;
}

// Deletes the field only if it still holds the record that was linked (a newer version may have replaced it).
const DELETE_IF_SAME = `if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0`;

// Files items under one reference and renews its expiry: ARGV = ttl seconds, then field/value pairs.
const FILE_UNDER = `redis.call('HSET', KEYS[1], unpack(ARGV, 2)) return redis.call('EXPIRE', KEYS[1], ARGV[1])`;

/**
 * Keys a sweep's SCAN call looks at (a hint to Redis). The sweep walks every key of the database to find
 * the parked ones, so a small page costs a round trip, a command timer and a reply per 200 keys: ~220
 * calls a pass over a bench run's keys, the 22 Redis commands a second of an idle enrichment service.
 * With 1,000, a pass over 50,000 keys is 50 calls of ~0.7 ms of Redis time each (34 ms in all, as
 * before), a fifth of the calls.
 */
export const SCAN_PAGE_KEYS = 1_000;

/** Field/value pairs per FILE_UNDER call (Lua's unpack() stops at about 8,000 values). */
export const PARKED_PER_CALL = 2_000;

function isCluster(redis: RedisClient): redis is Extract<RedisClient, { nodes: unknown }> {
  return typeof (redis as { nodes?: unknown }).nodes === 'function';
}

export function createRedisUnlinkedStore(settings: {
  redis: RedisClient;
  keyPrefix: string;
  ttlSeconds: number;
}): UnlinkedStore {
  const { redis, ttlSeconds } = settings;
  const fileUnder = scriptCommand(redis, 'vocflowFileUnlinked', FILE_UNDER);
  const base = `${settings.keyPrefix}:unlinked:`;
  const keyOf = (ref: RefKey) => `${base}${ref.kind}:${ref.value}`;
  /** The reference a key files items under (the inverse of keyOf; scanned keys start with `base`). */
  const refOfKey = (key: string): RefKey => {
    const rest = key.slice(base.length);
    const colon = rest.indexOf(':');
    return { kind: rest.slice(0, colon) as RefKey['kind'], value: rest.slice(colon + 1) };
  };
  /** The exact bytes each record was read from, so removal compares what is stored, not a re-encoding. */
  const storedAs = new WeakMap<EnrichedFeedback, string>();
  const serialized = (record: EnrichedFeedback) => storedAs.get(record) ?? JSON.stringify(record);
  const guard = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw new RetryableError('redis', `Redis failed: ${(error as Error).message}`, { cause: error });
    }
  };
  const parse = (values: Iterable<string>, into: Map<string, EnrichedFeedback>) => {
    for (const value of values) {
      const checked = EnrichedFeedback.safeParse(safeJson(value));
      if (!checked.success) continue;
      const prior = into.get(checked.data.feedbackId);
      storedAs.set(checked.data, value);
      if (!prior || newer(checked.data, prior)) into.set(checked.data.feedbackId, checked.data);
    }
  };
  return {
    park: (records, json) =>
      guard(async () => {
        // One call per reference (and per PARKED_PER_CALL items), not two commands per item.
        const byKey = new Map<string, string[]>();
        for (const record of records) {
          const given = json?.(record);
          if (given !== undefined) storedAs.set(record, given);
          const value = given ?? serialized(record);
          for (const ref of refKeys(record.customer.ref)) {
            const key = keyOf(ref);
            let pairs = byKey.get(key);
            if (!pairs) {
              pairs = [];
              byKey.set(key, pairs);
            }
            pairs.push(record.feedbackId, value);
          }
        }
        const calls: Promise<unknown>[] = [];
        for (const [key, pairs] of byKey)
          for (let at = 0; at < pairs.length; at += 2 * PARKED_PER_CALL)
            calls.push(fileUnder(key, [ttlSeconds, ...pairs.slice(at, at + 2 * PARKED_PER_CALL)]));
        await Promise.all(calls);
      }),
    find: (keys) =>
      guard(async () => {
        const found = new Map<string, EnrichedFeedback>();
        const hashes = await Promise.all(keys.map((ref) => redis.hgetall(keyOf(ref))));
        for (const hash of hashes) parse(Object.values(hash), found);
        return [...found.values()];
      }),
    remove: (record) =>
      guard(async () => {
        const value = serialized(record);
        await Promise.all(
          refKeys(record.customer.ref).map((ref) =>
            redis.eval(DELETE_IF_SAME, 1, keyOf(ref), record.feedbackId, value),
          ),
        );
      }),
    async *scan(from, wanted) {
      const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
      const pattern = `${base.replace(/[*?[\]\\]/g, '\\$&')}*`;
      for (let n = from?.node ?? 0; n < nodes.length; n++) {
        const node = nodes[n]!;
        let cursor = from?.node === n ? from.cursor : '0';
        do {
          const [next, keys] = await guard(() =>
            node.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_PAGE_KEYS),
          );
          cursor = next;
          const found = new Map<string, EnrichedFeedback>();
          const read = wanted ? keys.filter((key) => wanted(refOfKey(key))) : keys;
          if (read.length > 0) {
            const hashes = await guard(() => Promise.all(read.map((key) => redis.hgetall(key))));
            for (const hash of hashes) parse(Object.values(hash), found);
          }
          const after =
            cursor !== '0'
              ? { node: n, cursor }
              : n + 1 < nodes.length
                ? { node: n + 1, cursor: '0' }
                : undefined;
          yield { records: [...found.values()], keys: keys.length, next: after };
        } while (cursor !== '0');
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Orders records of one item by (version, revision). */
export function newer(a: EnrichedFeedback, b: EnrichedFeedback): boolean {
  return a.version > b.version || (a.version === b.version && a.revision > b.revision);
}
