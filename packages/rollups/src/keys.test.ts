import { kafkaPartitionOf } from '@vocflow/contracts';
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKeyspace } from './keys.ts';

describe('shards follow Kafka partitions', () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const kafkaPartition = (key: string, partitions: number) =>
    partitioner({
      topic: 't',
      partitionMetadata: Array.from({ length: partitions }, (_, i) => ({
        partitionId: i,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })),
      message: { key, value: null },
    });

  it('picks the partition the producer picks, for keys of every length and non-ASCII keys', () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'fb-1',
      'typeform:01HZX8',
      'qualtrics:R_2VQ3xyz',
      'ünïcödé-反馈-🙂',
      ...Array.from({ length: 500 }, (_, i) => `feedback-${i * 7919}`),
    ];
    for (const partitions of [1, 3, 12, 16])
      for (const key of keys)
        expect(kafkaPartitionOf(key, partitions), key).toBe(kafkaPartition(key, partitions));
  });

  it('spreads feedback ids over every shard', () => {
    const keys = createKeyspace({ keyPrefix: 'vf' });
    const seen = new Set(Array.from({ length: 1_000 }, (_, i) => keys.shardOf(`fb-${i}`)));
    expect(keys.shards).toBe(12);
    expect(seen.size).toBe(12);
  });
});

describe('feeds bookkeeping keys', () => {
  it("keeps a shard's dirty days and the days a feeds run is writing in the same hash slot", () => {
    const keys = createKeyspace({ keyPrefix: 'k', shards: 4 });
    const slotTag = (key: string) => /\{[^}]*\}/.exec(key)?.[0];
    expect(keys.dirtyDaysWriting(2)).not.toBe(keys.dirtyDays(2));
    expect(slotTag(keys.dirtyDaysWriting(2))).toBeDefined();
    expect(slotTag(keys.dirtyDaysWriting(2))).toBe(slotTag(keys.dirtyDays(2)));
  });
});
