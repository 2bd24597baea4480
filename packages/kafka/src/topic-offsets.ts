import type { Admin } from 'kafkajs';

export interface TopicOffsetsOptions {
  /** How long a retriable answer (no leader yet, leader moved) is retried; default 15 s. */
  readonly timeoutMs?: number;
  readonly pauseMs?: number;
}

type PartitionOffsets = Awaited<ReturnType<Admin['fetchTopicOffsets']>>;

/**
 * A topic's low and high offsets per partition. Right after a topic is created, or while a leader
 * moves, the broker answers "not the leader for that topic-partition" — a retriable error kafkajs does
 * not retry here; a service starting at that moment must wait for the leader, not crash.
 */
export async function fetchTopicOffsetsSettled(
  admin: Admin,
  topic: string,
  options: TopicOffsetsOptions = {},
): Promise<PartitionOffsets> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const pauseMs = options.pauseMs ?? 200;
  for (;;) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = (error as { retriable?: boolean } | null)?.retriable === true;
      if (!retriable || Date.now() + pauseMs > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
