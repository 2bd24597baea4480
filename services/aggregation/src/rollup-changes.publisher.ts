import { encode, RollupChange, type RollupScope } from '@vocflow/contracts';
import { RecordsRejectedError, type VocflowProducer } from '@vocflow/kafka';
import type { Logger } from '@vocflow/observability';
import { type ChangedRollup, parseRollupId, type RollupReader } from '@vocflow/rollups';

export interface RollupChangesPublisher {
  track(changed: readonly ChangedRollup[]): void;
  /** Publishes what changed since the last call (also called by the timer). */
  publish(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The `rollups.v1` change feed: changes are coalesced in memory and, every interval, the new state
 * of each changed rollup bucket is read (the sum of its shards) and published, keyed `${scope}:${id}`.
 * A failed publish keeps the changes for the next round, except changes the broker refuses for good
 * (over the topic's `max.message.bytes`), which are logged and dropped. Only the configured scopes
 * are published.
 */
export function createRollupChangesPublisher(deps: {
  reader: Pick<RollupReader, 'getBuckets'>;
  producer: VocflowProducer;
  topic: string;
  scopes: readonly RollupScope[];
  intervalMs: number;
  logger: Logger;
  /** Counts the Redis reads (one per changed rollup and shard) into the service's command count. */
  stats?: { redisCommands: number };
  shards?: number;
}): RollupChangesPublisher {
  const pending = new Map<string, ChangedRollup>();
  const scopes = new Set(deps.scopes);
  let running: Promise<number> | undefined;

  const publishOnce = async (): Promise<number> => {
    if (pending.size === 0) return 0;
    const batch = [...pending.values()];
    pending.clear();
    try {
      if (deps.stats) deps.stats.redisCommands += batch.length * (deps.shards ?? 1);
      const views = await deps.reader.getBuckets(batch);
      const now = new Date().toISOString();
      const messages = views.map((view) => ({
        key: `${view.scope}:${view.id}`,
        value: encode(RollupChange, {
          schema: 'rollups.v1',
          scope: view.scope,
          id: view.id,
          granularity: view.granularity,
          ...(view.bucketStart ? { bucketStart: view.bucketStart } : {}),
          counters: view.counters,
          updatedAt: view.updatedAt ?? now,
        }),
      }));
      await deps.producer.send(deps.topic, messages);
      return messages.length;
    } catch (error) {
      if (error instanceof RecordsRejectedError) {
        // Refused for good (a change over the topic's limit): published again it would be refused
        // again and hold the feed back; every other change of the batch was acknowledged.
        deps.logger.warn(
          { rejected: error.rejected.map((r) => ({ index: r.index, reason: r.reason })) },
          'rollup changes refused by the broker; dropped',
        );
        return batch.length - error.rejected.length;
      }
      for (const ref of batch) pending.set(`${ref.rollupId}\u0000${ref.bucket}`, ref);
      deps.logger.warn({ err: error, rollups: batch.length }, 'rollup changes not published; will retry');
      return 0;
    }
  };
  const publish = () => {
    running ??= publishOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void publish(), deps.intervalMs);
  timer.unref();
  let closing: Promise<void> | undefined;

  return {
    track(changed) {
      for (const ref of changed) {
        if (!scopes.has(parseRollupId(ref.rollupId).scope)) continue;
        pending.set(`${ref.rollupId}\u0000${ref.bucket}`, ref);
      }
    },
    publish,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await running;
        await publish();
      })();
      return closing;
    },
  };
}
