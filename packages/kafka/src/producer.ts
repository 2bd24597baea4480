import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import { RetryableError } from './errors.ts';
import type { OutboundMessage, VocflowProducer } from './types.ts';

export interface ProducerSettings {
  readonly logger: Logger;
  readonly registry?: Registry;
  /** A send that is not acknowledged within this time fails with RetryableError('kafka'). */
  readonly sendTimeoutMs?: number;
  /** Most records in one produce request. */
  readonly maxBatchRecords?: number;
  readonly compression?: 'none' | 'gzip';
}

interface Pending {
  readonly topic: string;
  readonly messages: readonly OutboundMessage[];
  resolve(): void;
  reject(error: unknown): void;
  settled: boolean;
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

/**
 * An idempotent producer (acks from all in-sync replicas) that batches by itself: while one produce
 * request is in flight, new sends queue up and leave together in the next request. Callers get a
 * promise that resolves only once their records were acknowledged, and rejects with a
 * RetryableError('kafka') when the cluster does not acknowledge within `sendTimeoutMs`.
 */
export function createProducer(kafka: Kafka, settings: ProducerSettings): VocflowProducer {
  const log = settings.logger.child({ component: 'producer' });
  const sendTimeoutMs = settings.sendTimeoutMs ?? 5_000;
  const maxBatchRecords = settings.maxBatchRecords ?? 2_000;
  const compression = settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 2_000 },
  });
  let connected = false;
  producer.on(producer.events.CONNECT, () => {
    connected = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    connected = false;
  });

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

  const queue: Pending[] = [];
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

  const takeBatch = (): Pending[] => {
    const batch: Pending[] = [];
    let records = 0;
    while (queue.length > 0) {
      const next = queue[0]!;
      if (batch.length > 0 && records + next.messages.length > maxBatchRecords) break;
      queue.shift();
      if (next.settled) continue;
      batch.push(next);
      records += next.messages.length;
    }
    return batch;
  };

  const pump = async () => {
    if (inFlight) return;
    inFlight = true;
    try {
      while (queue.length > 0) {
        const batch = takeBatch();
        if (batch.length === 0) continue;
        const byTopic = new Map<string, Message[]>();
        for (const p of batch) {
          let list = byTopic.get(p.topic);
          if (!list) {
            list = [];
            byTopic.set(p.topic, list);
          }
          for (const m of p.messages) list.push(toKafkaMessage(m));
        }
        const started = performance.now();
        try {
          await ensureConnected();
          await producer.sendBatch({
            acks: -1,
            timeout: sendTimeoutMs,
            compression,
            topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
          });
          latency?.observe((performance.now() - started) / 1000);
          for (const p of batch) {
            sent?.inc({ topic: p.topic, outcome: 'acked' }, p.messages.length);
            p.resolve();
          }
        } catch (error) {
          log.warn({ err: error, records: batch.length }, 'produce failed');
          const failure = new RetryableError(
            'kafka',
            `Kafka did not acknowledge: ${(error as Error).message}`,
            {
              cause: error,
            },
          );
          for (const p of batch) {
            sent?.inc({ topic: p.topic, outcome: 'failed' }, p.messages.length);
            p.reject(failure);
          }
        }
      }
    } finally {
      inFlight = false;
    }
  };

  const enqueue = (topic: string, messages: readonly OutboundMessage[]): Promise<void> => {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (entry.settled) return;
        entry.settled = true;
        sent?.inc({ topic, outcome: 'timeout' }, messages.length);
        reject(new RetryableError('kafka', `Kafka did not acknowledge within ${sendTimeoutMs} ms`));
      }, sendTimeoutMs);
      const entry: Pending = {
        topic,
        messages,
        settled: false,
        resolve: () => {
          clearTimeout(timer);
          if (entry.settled) return;
          entry.settled = true;
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          if (entry.settled) return;
          entry.settled = true;
          reject(error);
        },
      };
      queue.push(entry);
      void pump();
    });
  };

  let disconnecting: Promise<void> | undefined;
  return {
    send: enqueue,
    async sendBatch(batches) {
      await Promise.all(batches.map((b) => enqueue(b.topic, b.messages)));
    },
    connect: ensureConnected,
    disconnect() {
      disconnecting ??= (async () => {
        while (inFlight || queue.some((p) => !p.settled)) await new Promise((r) => setTimeout(r, 10));
        await producer.disconnect();
      })();
      return disconnecting;
    },
    isConnected: () => connected,
  };
}
