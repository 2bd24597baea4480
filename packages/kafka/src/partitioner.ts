import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

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

/**
 * kafkajs' default partitioner (Java-compatible: a keyed record goes to `murmur2(key) mod partitions`,
 * so records of one key stay on one partition whichever client produced them), without its costs per
 * record: the `Long` arithmetic above and a filtered copy of the partition list. Records without a key
 * go round robin over the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined)
      return (murmur2(message.key) & 0x7fffffff) % partitions;
    const led = partitionMetadata.filter((p) => p.leader >= 0);
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const from = led.length > 0 ? led : partitionMetadata;
    return from[next % from.length]!.partitionId;
  };
};
