import { RetryableError } from '@vocflow/steps';
import { describe, expect, it } from 'vitest';
import { failingAsRedis } from './redis-dependency.ts';

describe('failingAsRedis', () => {
  const broken = new Error('Connection is closed.');
  const target = {
    read: async (n: number) => n * 2,
    fail: async () => Promise.reject(broken),
    throwNow: () => {
      throw broken;
    },
  };

  it('passes results through and keeps a failure as it is while Redis is ready', async () => {
    const wrapped = failingAsRedis(target, () => true);
    await expect(wrapped.read(2)).resolves.toBe(4);
    await expect(wrapped.fail()).rejects.toBe(broken);
  });
  it('turns a failure while Redis is not ready into RetryableError("redis") with the cause', async () => {
    const wrapped = failingAsRedis(target, () => false);
    const error = await wrapped.fail().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ dependency: 'redis', cause: broken });
    expect(() => wrapped.throwNow()).toThrow(RetryableError);
  });
  it('turns a command Redis did not answer in time into RetryableError("redis"), even while it looks ready', async () => {
    const timedOut = new Error('Command timed out');
    const wrapped = failingAsRedis({ hang: async () => Promise.reject(timedOut) }, () => true);
    await expect(wrapped.hang()).rejects.toMatchObject({ dependency: 'redis', cause: timedOut });
  });
});
