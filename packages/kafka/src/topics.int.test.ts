import { PRODUCTION_TOPIC_POLICY, topicNames } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafka } from './client.ts';
import { alignTopics, ensureTopics, TOPIC_RESOURCE } from './topics.ts';

const settings = stackSettings();
const prefix = testNamespace('topic-policy');
const kafka = createKafka({
  brokers: settings.kafkaBrokers,
  clientId: 'topics-int-test',
  logger: createLogger({ service: 'test', level: 'silent' }),
});
const local = { ...PRODUCTION_TOPIC_POLICY, replicationFactor: 1, minInsyncReplicas: 1 };
const only = ['feedback.raw.v1', 'feedback.dlq.v1'];

async function configOf(topic: string): Promise<Record<string, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: TOPIC_RESOURCE, name: topic }],
    });
    return Object.fromEntries(
      described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
  } finally {
    await admin.disconnect();
  }
}

describe('topic retention and replication on the real broker', () => {
  afterAll(async () => {
    await deleteTopics(prefix, settings.kafkaBrokers);
  });

  it('creates topics with the policy and sets a shorter retention on topics that already exist', async () => {
    const names = topicNames(prefix);
    await ensureTopics(kafka, { prefix, only, numPartitions: 1, policy: local });
    expect((await configOf(names.feedbackRaw))['retention.ms']).toBe(String(72 * 3_600_000));
    expect((await configOf(names.feedbackRaw))['min.insync.replicas']).toBe('1');

    const aligned = await alignTopics(
      kafka,
      { ...local, rawRetentionHours: 5, dlqRetentionDays: 3 },
      { prefix, only },
    );
    expect(aligned.created).toEqual([]);
    expect([...aligned.updated].sort()).toEqual([names.dlq, names.feedbackRaw].sort());
    expect((await configOf(names.feedbackRaw))['retention.ms']).toBe(String(5 * 3_600_000));
    expect((await configOf(names.dlq))['retention.ms']).toBe(String(3 * 86_400_000));
    expect((await configOf(names.dlq))['cleanup.policy']).toBe('delete');
  });

  it('refuses to create topics with more replicas than the cluster has brokers', async () => {
    await expect(
      ensureTopics(kafka, { prefix: `${prefix}x.`, only, numPartitions: 1, policy: PRODUCTION_TOPIC_POLICY }),
    ).rejects.toThrow(/KAFKA_REPLICATION_FACTOR=3/);
  });
});
