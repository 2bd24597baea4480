import { PRODUCTION_TOPIC_POLICY, topicConfig, topicNames } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { checkTopicPolicy } from './topics.ts';

describe('topic policy', () => {
  it('keeps raw bodies and dead letters only as long as configured, on prefixed topics too', () => {
    const names = topicNames('t-1.');
    const policy = { ...PRODUCTION_TOPIC_POLICY, rawRetentionHours: 5, dlqRetentionDays: 2 };
    expect(topicConfig(names.feedbackRaw, policy)['retention.ms']).toBe(String(5 * 3_600_000));
    expect(topicConfig(names.dlq, policy)['retention.ms']).toBe(String(2 * 86_400_000));
    expect(topicConfig(names.feedbackEnriched, policy)['retention.ms']).toBe(String(14 * 86_400_000));
  });

  it('sets min.insync.replicas on every topic, keeping the base settings', () => {
    const config = topicConfig(topicNames().customers, PRODUCTION_TOPIC_POLICY);
    expect(config['min.insync.replicas']).toBe('2');
    expect(config['cleanup.policy']).toBe('compact');
  });

  it('defaults to three replicas with two in sync, so an acknowledged write survives one broker', () => {
    expect(PRODUCTION_TOPIC_POLICY).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('refuses a policy the cluster cannot honour, naming the variable', () => {
    expect(() => checkTopicPolicy(PRODUCTION_TOPIC_POLICY, 1)).toThrow(
      /KAFKA_REPLICATION_FACTOR=3.*1 broker/,
    );
    expect(() => checkTopicPolicy({ ...PRODUCTION_TOPIC_POLICY, minInsyncReplicas: 4 }, 5)).toThrow(
      /KAFKA_MIN_INSYNC_REPLICAS=4 exceeds/,
    );
    expect(() => checkTopicPolicy(PRODUCTION_TOPIC_POLICY, 3)).not.toThrow();
  });
});
