import { kafkaPartitionOf } from '@vocflow/contracts';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

/**
 * kafkajs' default partitioner (Java-compatible: a keyed record goes to `kafkaPartitionOf(key)`, so the
 * records of one key stay on one partition whichever client produced them) without its costs per
 * record: a murmur2 with a 64-bit `Long` object per step, and a filtered copy of the partition list.
 * Records without a key go round robin over the partitions that have a leader.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) return kafkaPartitionOf(message.key, partitions);
    const led = partitionMetadata.filter((p) => p.leader >= 0);
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    const from = led.length > 0 ? led : partitionMetadata;
    return from[next % from.length]!.partitionId;
  };
};
