import { randomUUID } from 'node:crypto';
import {
  CustomerProfile,
  decode,
  ERASURE_BY_HEADER,
  ERASURE_EMAIL_HEADER,
  ERASURE_ID_HEADER,
} from '@vocflow/contracts';
import { fetchTopicOffsetsSettled } from '@vocflow/kafka';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { CustomerTable } from './customer-table.store.ts';
import type { ErasureRequest } from './erasure.service.ts';

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
  /**
   * An erasure request (a tombstone with the erasure headers), with the profile it names as the table
   * holds it just before: awaited before the profile is deleted; a failure re-reads the batch.
   */
  readonly onErasure?: (request: ErasureRequest, profile: CustomerProfile | undefined) => Promise<void>;
  /** A profile upserted once caught up, awaited (an erased customer's markers are cleared). */
  readonly onUpsert?: (profile: CustomerProfile) => Promise<void>;
}

const header = (headers: Record<string, unknown> | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
};

/** The erasure request a tombstone carries, if it is one. */
export function erasureRequestOf(
  key: string | undefined,
  headers: Record<string, unknown> | undefined,
): ErasureRequest | undefined {
  const erasureId = header(headers, ERASURE_ID_HEADER);
  if (!erasureId) return undefined;
  const emailKey = header(headers, ERASURE_EMAIL_HEADER);
  return {
    erasureId,
    requestedBy: header(headers, ERASURE_BY_HEADER) ?? 'unknown',
    customerId: emailKey === undefined ? key : undefined,
    emailKey,
  };
}

/**
 * Keeps the local customer table: every instance reads the whole compacted topic with a consumer
 * group of its own (never committed), from the beginning, and keeps following it. A null value
 * (tombstone) deletes the profile; a record that breaks the contract is skipped with a warning.
 */
export function createCustomerTableLoader(deps: CustomerTableLoaderDeps): CustomerTableLoader {
  const log = deps.logger.child({ component: 'customers', topic: deps.topic });
  const groupId = `${deps.groupPrefix}-${randomUUID()}`;
  // Long polls: a profile that arrives is answered at once; an idle table costs one fetch a second.
  const consumer = deps.kafka.consumer({ groupId, maxWaitTimeInMs: 1_000, allowAutoTopicCreation: false });
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
        for (const p of await fetchTopicOffsetsSettled(admin, deps.topic)) {
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
              const erasure = erasureRequestOf(id, message.headers);
              if (erasure && deps.onErasure) {
                const profile = erasure.emailKey
                  ? deps.table.resolve({ email: erasure.emailKey })
                  : id
                    ? deps.table.get(id)
                    : undefined;
                await deps.onErasure(erasure, profile);
                if (profile) deps.table.delete(profile.id);
              }
              if (id) deps.table.delete(id);
            } else {
              const decoded = decode(CustomerProfile, message.value);
              if (decoded.ok) {
                if (caughtUp) await deps.onUpsert?.(decoded.value);
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
