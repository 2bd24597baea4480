import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createKafka, createProducer, dlq, readTopicToEnd, toDlqMessage } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../bin/vocflow.js', import.meta.url));
const settings = stackSettings();
const logger = createLogger({ service: 'dlq-test', level: 'silent' });

describe('vocflow dlq', () => {
  const prefix = testNamespace('dlq-cli');
  afterAll(() => deleteTopics(prefix, settings.kafkaBrokers).catch(() => undefined));

  it('summarizes the DLQ and replays the original bytes to their topic, filtered by reason', async () => {
    const topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['feedback.raw.v1', 'feedback.dlq.v1'],
    });
    const kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'dlq-test', logger });
    const producer = createProducer(kafka, { logger });
    await producer.connect();
    const original = (offset: string, value: string) => ({
      topic: topics.feedbackRaw,
      partition: 0,
      offset,
      key: Buffer.from('cust-9'),
      value: Buffer.from(value),
      headers: { 'x-source': 'typeform' },
      timestamp: '1700000000000',
    });
    await producer.send(topics.dlq, [
      toDlqMessage(original('5', '{"first":1}'), dlq('hydrateStep', 'hydration_failed', 'provider 404'), {
        stage: 'hydration',
        service: 'enrichment',
        attempts: 1,
      }),
      toDlqMessage(original('6', '{"second":2}'), dlq('parseRawStep', 'invalid_schema'), {
        stage: 'enrichment',
        service: 'enrichment',
        attempts: 1,
      }),
    ]);
    await producer.disconnect();
    const env = {
      ...process.env,
      KAFKA_BROKERS: settings.kafkaBrokers.join(','),
      VOCFLOW_TOPIC_PREFIX: prefix,
    };

    const inspected = await run(process.execPath, [bin, 'dlq', 'inspect'], { env });
    expect(inspected.stdout).toContain('2 matching records');
    expect(inspected.stdout).toMatch(/hydration\thydration_failed\t1/);
    expect(inspected.stdout).toMatch(/enrichment\tinvalid_schema\t1/);

    const replayed = await run(process.execPath, [bin, 'dlq', 'replay', '--reason', 'hydration_failed'], {
      env,
    });
    expect(replayed.stdout).toContain(`replaying 1 → ${topics.feedbackRaw}`);

    const values: string[] = [];
    const headers: string[] = [];
    await readTopicToEnd(kafka, topics.feedbackRaw, {
      onMessage: (m) => {
        values.push(m.value!.toString());
        headers.push(String(m.headers?.['vocflow-replayed-from']));
      },
    });
    expect(values).toEqual(['{"first":1}']);
    expect(headers).toEqual([`${topics.feedbackRaw}/0/5`]);
  }, 90_000);

  it('reads with a consumer group that carries the deployment prefix', async () => {
    const topics = await createTopicsFor(prefix, settings.kafkaBrokers, {
      numPartitions: 1,
      topics: ['feedback.dlq.v1'],
    });
    const kafka = createKafka({ brokers: settings.kafkaBrokers, clientId: 'dlq-test', logger });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.dlq, messages: [{ value: 'not a dlq record' }] });
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const groupsWhileReading: string[] = [];
    try {
      await readTopicToEnd(kafka, topics.dlq, {
        groupPrefix: prefix,
        onMessage: async () => {
          groupsWhileReading.push(...(await admin.listGroups()).groups.map((g) => g.groupId));
        },
      });
    } finally {
      await admin.disconnect();
    }
    const readers = groupsWhileReading.filter((g) => g.includes('vocflow-reader-'));
    expect(readers.length).toBeGreaterThan(0);
    expect(readers.filter((g) => g.startsWith(`${prefix}vocflow-reader-`)).length).toBeGreaterThan(0);
  }, 90_000);
});
