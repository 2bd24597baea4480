/**
 * Raw kafkajs baselines on the pipeline's own topics and partitions: the transport ceiling
 * (produce → consume → produce → consume, no work), a passthrough drain (consume → produce) and a
 * consume-only drain of a pre-filled topic.
 */
import { encode, RawFeedback, topicNames } from '@vocflow/contracts';
import { ensureTopics } from '@vocflow/kafka';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { waitFor } from '../lib/processes.ts';

/** A valid `feedback.raw.v1` record, as ingest would write it for a generic webhook. */
export function rawFeedbackValue(runId: string, index: number): string {
  const now = new Date().toISOString();
  return encode(RawFeedback, {
    schema: 'feedback.raw.v1',
    feedbackId: `generic:${runId}-${index}`,
    version: 0,
    kind: 'survey_response',
    source: 'generic',
    channel: 'survey',
    providerResponseId: `${runId}-${index}`,
    occurredAt: now,
    receivedAt: now,
    customer: { id: `cus_${index % 500}` },
    answers: [],
    scores: { nps: index % 11, csat: 1 + (index % 5), ces: 1 + (index % 7) },
    texts: [{ field: 'text', text: 'Support answered quickly, but delivery was late again.' }],
    attributes: {},
  });
}

/** Produces `count` records in batches, several requests in flight, acks from all in-sync replicas. */
export async function produceRecords(
  producer: Producer,
  topic: string,
  count: number,
  value: (index: number) => string | Buffer,
  batchSize = 1_000,
  inFlight = 4,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + batchSize);
      const messages = [];
      for (let i = from; i < next; i += 1) messages.push({ key: `cus_${i % 500}`, value: value(i) });
      await producer.send({ topic, acks: -1, messages });
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

async function joined(consumer: Consumer): Promise<void> {
  await new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
}

export interface ChainResult {
  readonly events: number;
  readonly elapsedMs: number;
  readonly eventsPerSecond: number;
}

/** Transport ceiling: produce N payloads to raw, relay raw → enriched, consume enriched. */
export async function benchTransport(
  kafka: Kafka,
  prefix: string,
  events: number,
  runId: string,
): Promise<ChainResult> {
  const topics = topicNames(prefix);
  await ensureTopics(kafka, { prefix, only: ['feedback.raw.v1', 'feedback.enriched.v1'] });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const relayProducer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const relay = kafka.consumer({ groupId: `${prefix}bench-relay`, maxBytesPerPartition: 1_048_576 });
  const sink = kafka.consumer({ groupId: `${prefix}bench-sink`, maxBytesPerPartition: 1_048_576 });
  let consumed = 0;
  let lastAt = 0;
  try {
    await Promise.all([producer.connect(), relayProducer.connect(), relay.connect(), sink.connect()]);
    await relay.subscribe({ topic: topics.feedbackRaw, fromBeginning: true });
    await sink.subscribe({ topic: topics.feedbackEnriched, fromBeginning: true });
    const ready = Promise.all([joined(relay), joined(sink)]);
    await relay.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        await relayProducer.send({
          topic: topics.feedbackEnriched,
          acks: -1,
          messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
        });
      },
    });
    await sink.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length;
        lastAt = performance.now();
      },
    });
    await ready;
    const start = performance.now();
    await produceRecords(producer, topics.feedbackRaw, events, (i) => rawFeedbackValue(runId, i));
    const done = await waitFor(() => consumed >= events, 120_000, 5);
    if (!done) throw new Error(`transport chain delivered ${consumed} of ${events} records`);
    const elapsedMs = lastAt - start;
    return { events, elapsedMs, eventsPerSecond: (events / elapsedMs) * 1000 };
  } finally {
    await Promise.allSettled([relay.disconnect(), sink.disconnect()]);
    await Promise.allSettled([producer.disconnect(), relayProducer.disconnect()]);
  }
}

/**
 * Drains a pre-filled topic with a raw kafkajs consumer, optionally producing every record on to
 * `to` (passthrough); measured from joining the group to the last record handled, like a service is
 * measured from being ready (joined) to its last output.
 */
export async function drainBaseline(
  kafka: Kafka,
  options: { from: string; to?: string; expected: number; groupId: string },
): Promise<ChainResult> {
  const producer = options.to
    ? kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false })
    : undefined;
  const consumer = kafka.consumer({ groupId: options.groupId, maxBytesPerPartition: 1_048_576 });
  let handled = 0;
  let firstAt = 0;
  let lastAt = 0;
  try {
    await producer?.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: options.from, fromBeginning: true });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      firstAt ||= performance.now();
    });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        if (producer && options.to) {
          await producer.send({
            topic: options.to,
            acks: -1,
            messages: batch.messages.map((m) => ({ key: m.key, value: m.value })),
          });
        }
        handled += batch.messages.length;
        lastAt = performance.now();
      },
    });
    const done = await waitFor(() => handled >= options.expected, 120_000, 5);
    if (!done) throw new Error(`baseline drained ${handled} of ${options.expected} records`);
    const elapsedMs = Math.max(lastAt - firstAt, 1);
    return { events: options.expected, elapsedMs, eventsPerSecond: (options.expected / elapsedMs) * 1000 };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
  }
}
