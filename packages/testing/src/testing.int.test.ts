import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@vocflow/stack';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanupRedis, cleanupS3, createTopicsFor, deleteTopics, testNamespace } from './index.ts';

describe('test isolation helpers', () => {
  const settings = inject('stack');
  const prefix = testNamespace('testing helpers');

  afterAll(async () => {
    await deleteTopics(prefix, settings.kafkaBrokers);
  });

  it('creates every contract topic under the prefix with leaders, and deletes them again', async () => {
    const names = await createTopicsFor(prefix, settings.kafkaBrokers, { numPartitions: 2 });
    expect(names.feedbackRaw).toBe(`${prefix}feedback.raw.v1`);
    const admin = new Kafka({ brokers: settings.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: Object.values(names) });
    expect(metadata.topics).toHaveLength(6);
    for (const topic of metadata.topics) {
      expect(topic.partitions).toHaveLength(2);
      expect(topic.partitions.every((partition) => partition.leader >= 0)).toBe(true);
    }
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: names.customers, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');
    await admin.disconnect();
    expect((await deleteTopics(prefix, settings.kafkaBrokers)).sort()).toEqual(Object.values(names).sort());
  });

  it('removes only the namespace’s Redis keys', async () => {
    const redis = new Redis(settings.redisUrl);
    const other = testNamespace('other');
    await redis.set(`${prefix}a`, '1');
    await redis.hset(`${prefix}b`, 'f', '1');
    await redis.set(`${other}a`, '1');
    expect(await cleanupRedis(settings.redisUrl, prefix)).toBe(2);
    expect(await redis.exists(`${prefix}a`, `${prefix}b`, `${other}a`)).toBe(1);
    await cleanupRedis(settings.redisUrl, other);
    redis.disconnect();
  });

  it('removes only the namespace’s S3 objects', async () => {
    const s3 = createS3Client(settings.s3);
    for (const key of [`${prefix}x/1.json`, `${prefix}y/2.json`, `${prefix.slice(0, -1)}-z/3.json`]) {
      await s3.send(new PutObjectCommand({ Bucket: settings.s3.bucket, Key: key, Body: '{}' }));
    }
    expect(await cleanupS3(settings.s3, prefix)).toBe(2);
    expect(await cleanupS3(settings.s3, `${prefix.slice(0, -1)}-z/`)).toBe(1);
    s3.destroy();
  });
});
