import { DlqRecord, decode, EnrichedFeedback, type topicNames } from '@vocflow/contracts';
import {
  type BatchConsumer,
  createBatchConsumer,
  createKafka,
  createProducer,
  type VocflowProducer,
  waitForLeaders,
} from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryAlertVersions } from './alert-versions.store.ts';
import { DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { CustomerTable } from './customer-table.store.ts';
import { createEnrichmentSink } from './enrichment.consumer.ts';
import type { LinkingWorker } from './linking.worker.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { keywordAnalyzer, rawFeedback } from './test-fixtures.ts';
import type { UnlinkedStore } from './unlinked.store.ts';

const settings = stackSettings();
const logger = createLogger({ service: 'enrichment-sink-test', level: 'silent' });
/** The enriched topic of this test takes small records, so "too large" is cheap to reach. */
const ENRICHED_LIMIT = 16_384;

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('enrichment sink on a real broker', () => {
  let prefix: string;
  let topics: ReturnType<typeof topicNames>;
  let enrichedTopic: string;
  let kafka: Kafka;
  let producer: VocflowProducer;
  const consumers: BatchConsumer[] = [];
  const prefixes: string[] = [];

  beforeEach(async (context) => {
    prefix = testNamespace(context.task.name);
    prefixes.push(prefix);
    topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['feedback.raw.v1', 'feedback.alerts.v1', 'feedback.dlq.v1'],
    });
    kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'enrichment-sink-test', logger });
    enrichedTopic = `${prefix}enriched-small`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: enrichedTopic,
            numPartitions: 1,
            configEntries: [{ name: 'max.message.bytes', value: String(ENRICHED_LIMIT) }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    await waitForLeaders(kafka, [enrichedTopic]);
    producer = createProducer(kafka, { logger, sendTimeoutMs: 20_000 });
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.close()));
    await producer.disconnect();
  });

  afterAll(async () => {
    for (const p of prefixes) await deleteTopics(p, settings.kafkaBrokers).catch(() => undefined);
  });

  const read = async <T>(topic: string, count: number, parse: (value: Buffer | null) => T | undefined) => {
    const found: T[] = [];
    const reader = kafka.consumer({ groupId: `${prefix}reader-${topic}` });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const value = parse(message.value);
        if (value !== undefined) found.push(value);
      },
    });
    try {
      await until(() => found.length >= count, `${count} records on ${topic}`);
    } finally {
      await reader.disconnect();
    }
    return found;
  };

  const committed = async (groupId: string): Promise<number> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topics.feedbackRaw] });
      return Number(entry?.partitions[0]?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  };

  it('sends an item whose enriched record is over the topic limit to the DLQ and goes on', async () => {
    const longText = `The onboarding was long. ${'Every step took ages. '.repeat(1_000)}`;
    const items = [
      rawFeedback({ feedbackId: 'fb-small-1', providerResponseId: 'r1' }),
      rawFeedback({
        feedbackId: 'fb-too-large',
        providerResponseId: 'r2',
        texts: [{ field: 'q2', text: longText }],
      }),
      rawFeedback({ feedbackId: 'fb-small-2', providerResponseId: 'r3' }),
    ];
    await producer.send(
      topics.feedbackRaw,
      items.map((item) => ({ key: item.feedbackId, value: JSON.stringify(item) })),
    );
    const parked: string[] = [];
    const store = {
      async park(records: readonly EnrichedFeedback[]) {
        parked.push(...records.map((r) => r.feedbackId));
      },
      async remove(record: EnrichedFeedback) {
        parked.splice(parked.indexOf(record.feedbackId), 1);
      },
    } as unknown as UnlinkedStore;
    const linked: string[] = [];
    const linker = {
      async linkParked(records: readonly EnrichedFeedback[]) {
        linked.push(...records.map((r) => r.feedbackId));
        return 0;
      },
    } as unknown as LinkingWorker;
    const groupId = `${prefix}enrichment`;
    const consumer = createBatchConsumer({
      kafka,
      groupId,
      topics: [topics.feedbackRaw],
      service: 'enrichment',
      stage: 'enrichment',
      dlqTopic: topics.dlq,
      producer,
      logger,
      process: createEnrichmentPipeline({
        analyzer: keywordAnalyzer,
        customers: new CustomerTable(),
        redactor: createPiiRedactor({ enabled: true, hashSalt: 'salt' }),
        segmentRules: [],
        alertRules: DEFAULT_ALERT_RULES,
      }),
      sink: createEnrichmentSink({
        producer,
        topics: { enriched: enrichedTopic, alerts: topics.alerts },
        store,
        linker,
        alertVersions: createMemoryAlertVersions(),
      }),
    });
    consumers.push(consumer);
    await consumer.start();

    const [dead] = await read(topics.dlq, 1, (v) => {
      const decoded = decode(DlqRecord, v);
      return decoded.ok ? decoded.value : undefined;
    });
    expect(dead).toMatchObject({
      reason: 'record_too_large',
      stage: 'enrichment',
      origin: { topic: topics.feedbackRaw, offset: '1' },
    });
    const original = JSON.parse(Buffer.from(dead!.original.value!, 'base64').toString());
    expect(original.feedbackId).toBe('fb-too-large');
    const enriched = await read(enrichedTopic, 2, (v) => {
      const decoded = decode(EnrichedFeedback, v);
      return decoded.ok ? decoded.value.feedbackId : undefined;
    });
    expect(enriched.sort()).toEqual(['fb-small-1', 'fb-small-2']);
    await until(async () => (await committed(groupId)) === 3, 'commit past the refused item');
    // The refused item does not wait for its profile (linking would only produce it again).
    expect(parked).not.toContain('fb-too-large');
    expect(linked).not.toContain('fb-too-large');
  });
});
