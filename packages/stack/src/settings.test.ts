import { describe, expect, it } from 'vitest';
import { formatEnvLines, localSettings, settingsFromEnv, settingsToEnv } from './settings.ts';

describe('settings', () => {
  it('renders the local stack as environment lines in a stable order', () => {
    expect(formatEnvLines(localSettings()).split('\n')).toEqual([
      'KAFKA_BROKERS=127.0.0.1:19092',
      'REDIS_URL=redis://127.0.0.1:6379',
      'S3_ENDPOINT=http://127.0.0.1:19000',
      'S3_BUCKET=vocflow',
      'S3_REGION=us-east-1',
      'S3_FORCE_PATH_STYLE=true',
      'S3_ACCESS_KEY_ID=vocflow-local',
      'S3_SECRET_ACCESS_KEY=vocflow-local-secret',
      'KAFKA_REPLICATION_FACTOR=1',
      'KAFKA_MIN_INSYNC_REPLICAS=1',
    ]);
  });

  it('reads back what it wrote', () => {
    const settings = localSettings({ kafka: 29092, kafkaController: 29093, s3: 29000, redis: 6380 }, 'other');
    expect(settingsFromEnv(settingsToEnv(settings))).toEqual(settings);
  });

  it('leaves replication to the services when the environment names a cluster without it', () => {
    const env = { KAFKA_BROKERS: 'k:9092', REDIS_URL: 'redis://r', S3_ENDPOINT: 'https://s3.example' };
    const settings = settingsFromEnv(env);
    expect(settings?.topicReplication).toBeUndefined();
    expect(settingsToEnv(settings!)).not.toHaveProperty('KAFKA_REPLICATION_FACTOR');
    expect(
      settingsFromEnv({ ...env, KAFKA_REPLICATION_FACTOR: '3', KAFKA_MIN_INSYNC_REPLICAS: '2' })
        ?.topicReplication,
    ).toEqual({ factor: 3, minInsync: 2 });
  });

  it('needs brokers, Redis and an S3 endpoint before it trusts the environment', () => {
    expect(settingsFromEnv({ KAFKA_BROKERS: 'k:9092', REDIS_URL: 'redis://r' })).toBeUndefined();
    expect(settingsFromEnv({})).toBeUndefined();
  });

  it('splits several brokers and parses path style as a boolean', () => {
    const settings = settingsFromEnv({
      KAFKA_BROKERS: ' a:9092, b:9092 ,',
      REDIS_URL: 'redis://r:6379',
      S3_ENDPOINT: 'https://s3.example',
      S3_FORCE_PATH_STYLE: 'false',
    });
    expect(settings?.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(settings?.s3.forcePathStyle).toBe(false);
    expect(settings?.s3.bucket).toBe('vocflow');
  });
});
