import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { brokerProblem, envWebhooksSecrets, redactUrl, standardWebhooksSecretProblem } from './env.ts';
import { ConfigError, parseConfig, redact } from './load.ts';
import { kafkaEnv, logEnv, redisEnv, s3Env } from './slices.ts';

const Shared = z.object({ ...kafkaEnv, ...redisEnv, ...s3Env, ...logEnv, SECRET: envWebhooksSecrets() });

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    parseConfig('svc', Shared, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return Object.fromEntries(error.problems.map((p) => [p.variable, p.message]));
  }
  return {};
}

describe('shared environment variables', () => {
  it('lists a bad log level, Redis URL, broker list and webhook secret together', () => {
    const problems = problemsOf({
      LOG_LEVEL: 'loud',
      REDIS_URL: 'notaurl',
      KAFKA_BROKERS: 'foo bar',
      SECRET: 'notwhsec',
    });
    expect(Object.keys(problems).sort()).toEqual(['KAFKA_BROKERS', 'LOG_LEVEL', 'REDIS_URL', 'SECRET']);
    expect(problems['LOG_LEVEL']).toContain('expected one of fatal, error, warn, info, debug, trace, silent');
    expect(problems['REDIS_URL']).toContain('redis://');
    expect(problems['KAFKA_BROKERS']).toContain('"foo bar" is not host:port');
    expect(problems['SECRET']).toContain('whsec_');
    expect(problems['SECRET']).not.toContain('notwhsec');
  });

  it('accepts the forms operators write', () => {
    const config = parseConfig('svc', Shared, {
      LOG_LEVEL: 'DEBUG',
      REDIS_URL: 'rediss://user:pw@cache.internal:6380/2',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2.example.com:9092,[::1]:19092',
      SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
    });
    expect(config.LOG_LEVEL).toBe('debug');
    expect(config.REDIS_URL).toBe('rediss://user:pw@cache.internal:6380/2');
    expect(config.KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2.example.com:9092', '[::1]:19092']);
    expect(config.SECRET).toHaveLength(2);
  });

  it('refuses a Redis URL of another scheme and a broker without a port or with port 0', () => {
    const problems = problemsOf({ REDIS_URL: 'http://127.0.0.1:6379', KAFKA_BROKERS: 'kafka-1,kafka-2:0' });
    expect(problems['REDIS_URL']).toContain('redis://host:port or rediss://host:port');
    expect(problems['KAFKA_BROKERS']).toContain('"kafka-1" is not host:port');
    expect(problems['KAFKA_BROKERS']).toContain('"kafka-2:0": the port must be from 1 to 65535');
  });

  it('never echoes a password from a bad Redis URL', () => {
    expect(problemsOf({ REDIS_URL: 'http://:hunter2@host' })['REDIS_URL']).not.toContain('hunter2');
  });
});

describe('brokerProblem', () => {
  it('names what is wrong with an address', () => {
    expect(brokerProblem('127.0.0.1:19092')).toBeUndefined();
    expect(brokerProblem('foo bar')).toBe('"foo bar" is not host:port');
    expect(brokerProblem('host:99999')).toContain('from 1 to 65535');
  });
});

describe('standardWebhooksSecretProblem', () => {
  it('wants whsec_ and a base64 key of 16 bytes or more', () => {
    expect(standardWebhooksSecretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBeUndefined();
    expect(standardWebhooksSecretProblem('notwhsec')).toContain('whsec_');
    expect(standardWebhooksSecretProblem('whsec_c2hvcnQ=')).toContain('at least 16 bytes');
    expect(standardWebhooksSecretProblem('whsec_not base64 at all!!')).toContain('base64');
  });
});

describe('redaction', () => {
  it('hides the password of a URL in every form', () => {
    expect(redactUrl('redis://:pw@host:6379')).toBe('redis://:[redacted]@host:6379');
    expect(redactUrl('rediss://user:pw@host:6380/0')).toBe('rediss://user:[redacted]@host:6380/0');
    expect(redactUrl('http://user:p%40ss@example.com/x')).toBe('http://user:[redacted]@example.com/x');
    expect(redactUrl('connect to redis://:s3cr3t@10.0.0.1:6379 failed')).toBe(
      'connect to redis://:[redacted]@10.0.0.1:6379 failed',
    );
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('hides S3 keys, webhook secrets, API keys, salts and URL passwords in a configuration', () => {
    const out = redact({
      redis: { url: 'redis://:pw@host:6379' },
      s3: { endpoint: 'http://minio:9000', accessKeyId: 'AKIA123', secretAccessKey: 'shh' },
      secrets: { generic: ['whsec_x'], surveymonkey: [{ apiKey: 'a', apiSecret: 'b' }] },
      webhook: { url: 'https://u:pw@hooks.example.com/x', secret: 'whsec_y' },
      apiKeys: ['k1'],
      pii: { enabled: true, hashSalt: 'salty' },
      port: 8080,
    });
    const text = JSON.stringify(out);
    for (const secret of ['pw@', 'AKIA123', 'shh', 'whsec_x', 'whsec_y', '"k1"', 'salty', '"a"', '"b"'])
      expect(text).not.toContain(secret);
    expect(out).toMatchObject({
      redis: { url: 'redis://:[redacted]@host:6379' },
      s3: { endpoint: 'http://minio:9000' },
      webhook: { url: 'https://u:[redacted]@hooks.example.com/x' },
      pii: { enabled: true },
      port: 8080,
    });
  });
});
