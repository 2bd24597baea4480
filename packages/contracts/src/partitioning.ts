/**
 * Which partition of a topic a keyed record lands on: Kafka's default partitioner (the Java client's,
 * which kafkajs follows), `murmur2(UTF-8 bytes of the key) mod partitions`. The producer uses it to place
 * records, and the rollups shard by it, so a shard follows a partition of `feedback.enriched.v1`.
 */
const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Scratch space for a string key's UTF-8 bytes (longer keys get a buffer of their own). */
const scratch = new Uint8Array(1_024);
const utf8 = new TextEncoder();

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`, which kafkajs' default partitioner follows) in
 * 32-bit arithmetic. kafkajs computes it with a 64-bit `Long` object per step, allocating a dozen
 * objects per byte quartet of every key it produces; the result is the same.
 */
export function murmur2(key: string | Uint8Array): number {
  let data: Uint8Array;
  let length: number;
  if (typeof key === 'string') {
    if (key.length * 3 <= scratch.length) {
      data = scratch;
      length = utf8.encodeInto(key, scratch).written;
    } else {
      data = utf8.encode(key);
      length = data.length;
    }
  } else {
    data = key;
    length = key.length;
  }
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole]!, M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** The partition Kafka's default partitioner (Java client and kafkajs) picks for a key. */
export function kafkaPartitionOf(key: string | Uint8Array, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}
