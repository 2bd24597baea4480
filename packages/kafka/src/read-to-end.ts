import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { fetchTopicOffsetsSettled } from './topic-offsets.ts';

export interface ReadToEndOptions {
  /** Called for every record up to the high watermarks seen at start, partition by partition in order. */
  readonly onMessage: (message: KafkaMessage, partition: number) => Promise<void> | void;
  /** Progress: records read so far and the total to read. */
  readonly onProgress?: (read: number, total: number) => void;
  readonly timeoutMs?: number;
  /** Put before the throwaway group's name, like the deployment's other groups (VOCFLOW_TOPIC_PREFIX). */
  readonly groupPrefix?: string;
}

/**
 * Reads a topic from the beginning up to its current end, without committing anything (a throwaway
 * consumer group), then stops. For inspection and replay tools, and for tables rebuilt at start.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  options: ReadToEndOptions,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  let total = 0;
  try {
    const offsets = await fetchTopicOffsetsSettled(
      admin,
      topic,
      options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs },
    );
    ends = new Map();
    for (const o of offsets) {
      const high = BigInt(o.high);
      const low = BigInt(o.low);
      if (high > low) {
        ends.set(o.partition, high);
        total += Number(high - low);
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return 0;
  const groupId = `${options.groupPrefix ?? ''}vocflow-reader-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  let read = 0;
  const remaining = new Set(ends.keys());
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} did not finish within ${options.timeoutMs ?? 600_000} ms`)),
        options.timeoutMs ?? 600_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            const end = ends.get(batch.partition);
            if (end === undefined) return;
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= end) break;
              await options.onMessage(message, batch.partition);
              resolveOffset(message.offset);
              read += 1;
              if (read % 500 === 0) {
                options.onProgress?.(read, total);
                await heartbeat();
              }
            }
            if (BigInt(batch.lastOffset()) + 1n >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    options.onProgress?.(read, total);
  } finally {
    await consumer.disconnect();
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.deleteGroups([groupId]).catch(() => undefined);
    await admin2.disconnect();
  }
  return read;
}
