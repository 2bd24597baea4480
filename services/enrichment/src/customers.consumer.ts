import { randomUUID } from 'node:crypto';
import { CustomerProfile, decode } from '@vocflow/contracts';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { CustomerTable } from './customer-table.store.ts';

export interface CustomerTableLoader {
  /** Reads `customers.v1` from the beginning; resolves once caught up with the high watermarks seen at start. */
  start(options?: { timeoutMs?: number }): Promise<void>;
  isCaughtUp(): boolean;
  close(): Promise<void>;
}

export interface CustomerTableLoaderDeps {
  readonly kafka: Kafka;
  readonly topic: string;
  /** Prefix of this instance's own consumer group (a random suffix makes it unique). */
  readonly groupPrefix: string;
  readonly table: CustomerTable;
  readonly logger: Logger;
  /** Called for each profile that arrives after the table caught up (linking waiting items). */
  readonly onProfile?: (profile: CustomerProfile) => void;
  readonly onChange?: (size: number) => void;
}

/**
 * Keeps the local customer table: every instance reads the whole compacted topic with a consumer
 * group of its own (never committed), from the beginning, and keeps following it. A null value
 * (tombstone) deletes the profile; a record that breaks the contract is skipped with a warning.
 */
export function createCustomerTableLoader(deps: CustomerTableLoaderDeps): CustomerTableLoader {
  const log = deps.logger.child({ component: 'customers', topic: deps.topic });
  const groupId = `${deps.groupPrefix}-${randomUUID()}`;
  const consumer = deps.kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
  /** Partition → offset (exclusive) to reach before the table counts as caught up. */
  const targets = new Map<number, bigint>();
  let caughtUp = false;
  let markCaughtUp: () => void = () => undefined;
  const caughtUpPromise = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  let closing: Promise<void> | undefined;

  const checkCaughtUp = () => {
    if (caughtUp || targets.size > 0) return;
    caughtUp = true;
    log.info({ profiles: deps.table.size }, 'customer table caught up');
    markCaughtUp();
  };

  return {
    async start(options = {}) {
      const admin = deps.kafka.admin();
      await admin.connect();
      try {
        for (const p of await admin.fetchTopicOffsets(deps.topic)) {
          if (BigInt(p.high) > BigInt(p.low)) targets.set(p.partition, BigInt(p.high));
        }
      } finally {
        await admin.disconnect();
      }
      await consumer.connect();
      await consumer.subscribe({ topics: [deps.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          let invalid = 0;
          for (const message of batch.messages) {
            const id = message.key?.toString('utf8');
            if (message.value === null) {
              if (id) deps.table.delete(id);
            } else {
              const decoded = decode(CustomerProfile, message.value);
              if (decoded.ok) {
                deps.table.upsert(decoded.value);
                if (caughtUp) deps.onProfile?.(decoded.value);
              } else invalid += 1;
            }
            resolveOffset(message.offset);
          }
          if (invalid > 0)
            log.warn({ invalid, partition: batch.partition }, 'skipped invalid customer profiles');
          const target = targets.get(batch.partition);
          if (target !== undefined && BigInt(batch.lastOffset()) + 1n >= target) {
            targets.delete(batch.partition);
            checkCaughtUp();
          }
          deps.onChange?.(deps.table.size);
          await heartbeat();
        },
      });
      checkCaughtUp();
      const timeoutMs = options.timeoutMs ?? 120_000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `customer table did not catch up within ${timeoutMs} ms (${targets.size} partitions behind)`,
              ),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([caughtUpPromise, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    isCaughtUp: () => caughtUp,
    close() {
      closing ??= consumer.disconnect();
      return closing;
    },
  };
}
