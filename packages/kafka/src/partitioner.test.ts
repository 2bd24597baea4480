import { createRequire } from 'node:module';
import { murmur2 } from '@vocflow/contracts';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { keyPartitioner } from './partitioner.ts';

// kafkajs' own murmur2 (64-bit Long arithmetic), which decided every partition until now.
const kafkajsMurmur2 = createRequire(import.meta.url)(
  'kafkajs/src/producer/partitioners/default/murmur2.js',
) as (key: string | Buffer) => number;

/** Deterministic pseudo-random keys: ASCII, CJK, emoji, every length from 0 to 64 and a few long ones. */
function keys(): (string | Buffer)[] {
  let seed = 7;
  const next = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
    return seed;
  };
  const alphabet = ['a', 'Z', '0', '-', ':', 'é', '中', '文', '😀', '\u0000', '\u007f', '\u00ff'];
  const out: (string | Buffer)[] = ['', 'fb_01JD', 'generic:123', '21', 'x'.repeat(400), '中'.repeat(400)];
  for (let length = 0; length <= 64; length += 1)
    for (let n = 0; n < 20; n += 1)
      out.push(Array.from({ length }, () => alphabet[next() % alphabet.length]).join(''));
  for (let n = 0; n < 200; n += 1)
    out.push(Buffer.from(Array.from({ length: next() % 40 }, () => next() % 256)));
  return out;
}

const metadata = (n: number, leaderless: number[] = []) =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('murmur2 and the key partitioner', () => {
  it('hash every key as kafkajs (and so the Java client) does', () => {
    for (const key of keys()) expect(murmur2(key), JSON.stringify(String(key))).toBe(kafkajsMurmur2(key));
  });

  it('put every keyed record on the partition kafkajs’ default partitioner chooses', () => {
    const ours = keyPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 12, 100])
      for (const key of keys()) {
        const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: 'v' } };
        expect(ours(args)).toBe(theirs(args));
      }
  });

  it('keep an explicit partition, and spread keyless records over the partitions with a leader', () => {
    const partition = keyPartitioner();
    expect(
      partition({
        topic: 't',
        partitionMetadata: metadata(12),
        message: { key: 'k', value: 'v', partition: 5 },
      }),
    ).toBe(5);
    const chosen = new Set<number>();
    for (let n = 0; n < 60; n += 1)
      chosen.add(partition({ topic: 't', partitionMetadata: metadata(6, [1, 4]), message: { value: 'v' } }));
    expect([...chosen].sort()).toEqual([0, 2, 3, 5]);
  });
});
