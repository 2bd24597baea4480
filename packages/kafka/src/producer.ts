import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import {
  RecordsRejectedError,
  RecordTooLargeError,
  type RejectedRecord,
  type RejectReason,
  RetryableError,
} from './errors.ts';
import { keyPartitioner } from './partitioner.ts';
import { recordSizeBytes, topicRecordLimit } from './record-size.ts';
import type { OutboundMessage, VocflowProducer } from './types.ts';

export interface ProducerSettings {
  readonly logger: Logger;
  readonly registry?: Registry;
  /** A send that is not acknowledged within this time fails with RetryableError('kafka'). */
  readonly sendTimeoutMs?: number;
  /** Most records in one produce request. */
  readonly maxBatchRecords?: number;
  readonly compression?: 'none' | 'gzip';
  /**
   * How long a send waits for others to join its produce request when none is in flight. Default 0:
   * the sends of one event-loop turn leave together (while a request is in flight, new sends queue and
   * leave together after it anyway).
   */
  readonly lingerMs?: number;
  /**
   * The most bytes one record of a topic may take (its `max.message.bytes`). Default: the contract's
   * setting for vocflow topics (packages/contracts/src/topics.ts); unknown topics are left to the broker.
   */
  readonly maxRecordBytes?: (topic: string) => number | undefined;
}

interface Pending {
  readonly topic: string;
  readonly messages: readonly OutboundMessage[];
  /** Records neither acknowledged nor refused yet. */
  outstanding: number;
  readonly rejected: RejectedRecord[];
  /** When the send fails with RetryableError('kafka') unless acknowledged before. */
  readonly deadline: number;
  resolve(): void;
  reject(error: unknown): void;
  settled: boolean;
}

/** One record on its way: the unit the producer batches, splits and retries. */
interface Unit {
  readonly pending: Pending;
  readonly index: number;
  readonly message: Message;
  readonly bytes: number;
}

function toKafkaMessage(m: OutboundMessage): Message {
  return {
    key: m.key,
    value: m.value,
    ...(m.headers ? { headers: { ...m.headers } } : {}),
    ...(m.partition === undefined ? {} : { partition: m.partition }),
    ...(m.timestamp === undefined ? {} : { timestamp: m.timestamp }),
  };
}

/** Broker error types that no retry can fix, and what they mean for the records concerned. */
const NON_RETRYABLE: Readonly<Record<string, { reason: RejectReason; split: boolean }>> = {
  MESSAGE_TOO_LARGE: { reason: 'record_too_large', split: true },
  RECORD_LIST_TOO_LARGE: { reason: 'record_too_large', split: true },
  INVALID_RECORD: { reason: 'invalid_record', split: true },
  CORRUPT_MESSAGE: { reason: 'invalid_record', split: true },
  INVALID_TIMESTAMP: { reason: 'invalid_record', split: true },
  TOPIC_AUTHORIZATION_FAILED: { reason: 'not_authorized', split: false },
  CLUSTER_AUTHORIZATION_FAILED: { reason: 'not_authorized', split: false },
  UNKNOWN_TOPIC_OR_PARTITION: { reason: 'unknown_topic', split: false },
};

/** The non-retryable broker error inside a kafkajs error (it wraps them in retry errors), if any. */
export function classifyProduceError(
  error: unknown,
): { type: string; reason: RejectReason; split: boolean } | undefined {
  let current = error as { type?: unknown; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; current && depth < 6; depth++) {
    const type = typeof current.type === 'string' ? current.type : undefined;
    if (type && NON_RETRYABLE[type]) return { type, ...NON_RETRYABLE[type]! };
    current = (current.cause ?? current.originalError) as typeof current;
  }
  return undefined;
}

/**
 * An idempotent producer (acks from all in-sync replicas) that batches by itself: while one produce
 * request is in flight, new sends queue up and leave together in the next request. Callers get a
 * promise that resolves only once their records were acknowledged.
 *
 * Failures say whether retrying can help:
 * - A record larger than its topic's `max.message.bytes` (as far as `maxRecordBytes` knows it) is
 *   refused before anything is sent. One request carries at most that many bytes per topic.
 * - A broker error no retry can fix (record too large, invalid record, not authorized, unknown topic)
 *   fails only the records it concerns: the request is split by topic, then in halves, down to the
 *   single records the broker refuses, and the rest is sent again. The send rejects with a
 *   RecordsRejectedError naming those records; all others of that send were acknowledged. A record
 *   of a request the broker partly accepted may be written twice (at least once, never lost).
 * - Anything else (no leader, timeouts, network, no acknowledgement within `sendTimeoutMs`) rejects
 *   with RetryableError('kafka').
 */
export function createProducer(kafka: Kafka, settings: ProducerSettings): VocflowProducer {
  const log = settings.logger.child({ component: 'producer' });
  const sendTimeoutMs = settings.sendTimeoutMs ?? 5_000;
  const maxBatchRecords = settings.maxBatchRecords ?? 2_000;
  const limitOf = settings.maxRecordBytes ?? topicRecordLimit;
  const compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const lingerMs = settings.lingerMs ?? 0;
  let connected = false;
  const newProducer = (): Producer => {
    const created = kafka.producer({
      // The default partitioner's placement, without its 64-bit arithmetic per key (partitioner.ts).
      createPartitioner: keyPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 },
    });
    created.on(created.events.CONNECT, () => {
      if (created === producer) connected = true;
    });
    created.on(created.events.DISCONNECT, () => {
      if (created === producer) connected = false;
    });
    return created;
  };
  let producer: Producer = newProducer();

  const sent = settings.registry
    ? new Counter({
        name: 'vocflow_producer_records_total',
        help: 'Records produced, by topic and outcome',
        labelNames: ['topic', 'outcome'],
        registers: [settings.registry],
      })
    : undefined;
  const latency = settings.registry
    ? new Histogram({
        name: 'vocflow_producer_request_duration_seconds',
        help: 'Produce request latency until acknowledged by all in-sync replicas',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        registers: [settings.registry],
      })
    : undefined;

  const queue: Unit[] = [];
  let inFlight = false;
  let connecting: Promise<void> | undefined;

  const ensureConnected = async () => {
    // kafkajs emits CONNECT before the idempotent producer id is initialised; a send in that window
    // fails inside kafkajs (releaseBrokerLock), so wait for connect() itself to finish.
    if (connecting) return connecting;
    if (connected) return;
    connecting ??= producer.connect().finally(() => {
      connecting = undefined;
    });
    await connecting;
  };

  /**
   * kafkajs rolls back the sequence numbers of every partition of a failed request, also of those the
   * broker accepted, so the idempotent producer would be refused (or silently deduplicated) next time.
   * A fresh producer id starts clean.
   */
  const resetProducer = async () => {
    const old = producer;
    producer = newProducer();
    connected = false;
    await old.disconnect().catch((error) => log.debug({ err: error }, 'old producer did not disconnect'));
  };

  const settle = (p: Pending) => {
    if (p.outstanding > 0 || p.settled) return;
    if (p.rejected.length === 0) p.resolve();
    else p.reject(new RecordsRejectedError([...p.rejected].sort((a, b) => a.index - b.index)));
  };
  /** Counts records by topic: one metric update per topic and request, not one per record. */
  const count = (units: readonly Unit[], outcome: string) => {
    if (!sent) return;
    let topic = units[0]?.pending.topic;
    let n = 0;
    for (const u of units) {
      if (u.pending.topic !== topic) {
        sent.inc({ topic: topic!, outcome }, n);
        topic = u.pending.topic;
        n = 0;
      }
      n++;
    }
    if (n > 0) sent.inc({ topic: topic!, outcome }, n);
  };
  const acked = (units: readonly Unit[]) => {
    count(units, 'acked');
    for (const u of units) {
      u.pending.outstanding -= 1;
      settle(u.pending);
    }
  };
  const refused = (units: readonly Unit[], reason: RejectReason, detail: string) => {
    count(units, 'rejected');
    for (const u of units) {
      u.pending.rejected.push({ topic: u.pending.topic, index: u.index, reason, detail });
      u.pending.outstanding -= 1;
      settle(u.pending);
    }
  };

  /**
   * Takes the next request's records: at most `maxBatchRecords`, at most the topic's limit in bytes per
   * topic. Removes them from the queue in one splice (shifting each would be quadratic in a long queue).
   */
  const takeBatch = (): Unit[] => {
    const batch: Unit[] = [];
    const bytes = new Map<string, number>();
    let taken = 0;
    for (; taken < queue.length; taken++) {
      const next = queue[taken]!;
      if (next.pending.settled) continue;
      const topic = next.pending.topic;
      const topicBytes = (bytes.get(topic) ?? 0) + next.bytes;
      const limit = limitOf(topic);
      if (batch.length > 0 && (batch.length >= maxBatchRecords || (limit && topicBytes > limit))) break;
      batch.push(next);
      bytes.set(topic, topicBytes);
    }
    queue.splice(0, taken);
    return batch;
  };

  /** Sends the units; on a non-retryable broker error, splits them and sends the parts again. */
  const deliver = async (units: readonly Unit[]): Promise<void> => {
    const live = units.filter((u) => !u.pending.settled);
    if (live.length === 0) return;
    const byTopic = new Map<string, Unit[]>();
    for (const u of live) {
      let list = byTopic.get(u.pending.topic);
      if (!list) {
        list = [];
        byTopic.set(u.pending.topic, list);
      }
      list.push(u);
    }
    const started = performance.now();
    try {
      await ensureConnected();
      await producer.sendBatch({
        acks: -1,
        timeout: sendTimeoutMs,
        compression,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((u) => u.message) })),
      });
      latency?.observe((performance.now() - started) / 1000);
      acked(live);
    } catch (error) {
      const refusal = classifyProduceError(error);
      if (!refusal) {
        log.warn({ err: error, records: live.length }, 'produce failed');
        const failure = new RetryableError(
          'kafka',
          `Kafka did not acknowledge: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
        count(live, 'failed');
        for (const u of live) u.pending.reject(failure);
        return;
      }
      await resetProducer();
      if (byTopic.size > 1) {
        for (const list of byTopic.values()) await deliver(list);
      } else if (live.length > 1 && refusal.split) {
        const half = Math.ceil(live.length / 2);
        await deliver(live.slice(0, half));
        await deliver(live.slice(half));
      } else {
        log.warn(
          { topic: live[0]!.pending.topic, records: live.length, type: refusal.type },
          'records refused by the broker',
        );
        refused(live, refusal.reason, `the broker refused the record: ${refusal.type}`);
      }
    }
  };

  const pump = async () => {
    if (inFlight) return;
    inFlight = true;
    try {
      while (queue.length > 0) {
        const batch = takeBatch();
        if (batch.length > 0) await deliver(batch);
      }
    } finally {
      inFlight = false;
    }
  };

  /** One flush per event-loop turn (or per `lingerMs`), whatever the number of sends in it. */
  let scheduled = false;
  const schedulePump = () => {
    if (scheduled || inFlight) return;
    scheduled = true;
    const go = () => {
      scheduled = false;
      void pump();
    };
    if (lingerMs > 0) setTimeout(go, lingerMs);
    else setImmediate(go);
  };

  /**
   * The sends waiting for an acknowledgement, checked against their deadlines by one timer that runs
   * only while there are any (not a timer per send).
   */
  const waiting = new Set<Pending>();
  let deadlineTimer: NodeJS.Timeout | undefined;
  const checkDeadlines = () => {
    const now = performance.now();
    for (const entry of waiting) {
      if (entry.deadline > now) continue;
      if (!entry.settled) sent?.inc({ topic: entry.topic, outcome: 'timeout' }, entry.outstanding);
      entry.reject(new RetryableError('kafka', `Kafka did not acknowledge within ${sendTimeoutMs} ms`));
    }
    if (waiting.size === 0 && deadlineTimer) {
      clearInterval(deadlineTimer);
      deadlineTimer = undefined;
    }
  };
  const deadlineCheckMs = Math.max(10, Math.min(250, Math.floor(sendTimeoutMs / 10)));

  const enqueue = (topic: string, messages: readonly OutboundMessage[]): Promise<void> => {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const entry: Pending = {
        topic,
        messages,
        outstanding: messages.length,
        rejected: [],
        settled: false,
        deadline: performance.now() + sendTimeoutMs,
        resolve: () => {
          waiting.delete(entry);
          if (entry.settled) return;
          entry.settled = true;
          resolve();
        },
        reject: (error) => {
          waiting.delete(entry);
          if (entry.settled) return;
          entry.settled = true;
          reject(error);
        },
      };
      waiting.add(entry);
      deadlineTimer ??= setInterval(checkDeadlines, deadlineCheckMs);
      const limit = limitOf(topic);
      messages.forEach((m, index) => {
        const bytes = recordSizeBytes(m);
        if (limit !== undefined && bytes > limit) {
          const error = new RecordTooLargeError(topic, bytes, limit);
          refused(
            [{ pending: entry, index, message: toKafkaMessage(m), bytes }],
            error.reason,
            error.message,
          );
        } else {
          queue.push({ pending: entry, index, message: toKafkaMessage(m), bytes });
        }
      });
      schedulePump();
    });
  };

  let disconnecting: Promise<void> | undefined;
  return {
    send: enqueue,
    async sendBatch(batches) {
      // Every send settles first: a RecordsRejectedError must only be thrown once the rest was acknowledged.
      const outcomes = await Promise.allSettled(batches.map((b) => enqueue(b.topic, b.messages)));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      const other = failures.find((e) => !(e instanceof RecordsRejectedError));
      if (other !== undefined) throw other;
      if (failures.length > 0)
        throw new RecordsRejectedError(failures.flatMap((e) => (e as RecordsRejectedError).rejected));
    },
    connect: ensureConnected,
    disconnect() {
      disconnecting ??= (async () => {
        while (inFlight || queue.some((u) => !u.pending.settled)) await new Promise((r) => setTimeout(r, 10));
        await producer.disconnect();
      })();
      return disconnecting;
    },
    isConnected: () => connected,
  };
}
