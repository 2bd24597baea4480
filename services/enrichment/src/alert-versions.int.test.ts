import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisAlertVersions } from './alert-versions.store.ts';

const redis = new Redis(stackSettings().redisUrl);
const keyPrefix = testNamespace('alert-versions');
afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('alert versions in Redis', () => {
  it('keeps the highest (version, revision) per item and never goes back', async () => {
    const versions = createRedisAlertVersions({ redis, keyPrefix, ttlMs: 60_000 });
    const big = 17_640_000_000_000_2; // a timestamp-based version (ms × 10 + stage)
    await versions.record([{ feedbackId: 'f', version: big, revision: 0 }]);
    await versions.record([{ feedbackId: 'f', version: big, revision: 1 }]);
    await versions.record([{ feedbackId: 'f', version: 5, revision: 9 }]);
    await versions.record([{ feedbackId: 'g', version: 1, revision: 0 }]);
    const marks = await versions.marks(['f', 'g', 'none']);
    expect(marks.get('f')).toEqual({ version: big, revision: 1 });
    expect(marks.get('g')).toEqual({ version: 1, revision: 0 });
    expect(marks.has('none')).toBe(false);
    expect(await redis.pttl(`${keyPrefix}:alerted:f`)).toBeGreaterThan(0);
  });
});
