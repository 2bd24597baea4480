import { createLogger } from '@vocflow/observability';
import { createKeyspace } from '@vocflow/rollups';
import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createFeedsWriter, FeedsLockLostError, MANIFEST_KEY } from './feeds.writer.ts';
import type { ObjectStore } from './object.store.ts';

const redis = new Redis(stackSettings().redisUrl);
const prefixes: string[] = [];
afterAll(async () => {
  for (const ns of prefixes) {
    const keys = await redis.keys(`*${ns}*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
});

/** An object store whose first put waits until the test lets it go. */
function heldStore() {
  const objects = new Map<string, string>();
  let letGo: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  let entered: () => void = () => undefined;
  const firstPut = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let puts = 0;
  const store: ObjectStore = {
    async put(key, body) {
      if (puts++ === 0) {
        entered();
        await released;
      }
      objects.set(key, String(body));
    },
    list: async () => [...objects.keys()].sort(),
    get: async (key) => (objects.has(key) ? Buffer.from(objects.get(key)!) : null),
    delete: async (keys) => {
      for (const k of keys) objects.delete(k);
    },
  };
  return { store, objects, firstPut, letGo };
}

async function setup(name: string) {
  const keyPrefix = testNamespace(name);
  prefixes.push(keyPrefix);
  const keys = createKeyspace({ keyPrefix, shards: 2 });
  await redis.sadd(keys.dirtyDays(0), '2026-11-20');
  const held = heldStore();
  const writer = (store: ObjectStore) =>
    createFeedsWriter({
      redis,
      keys,
      reader: { dayRollups: async () => [] },
      store,
      intervalMs: 60_000,
      lockMs: 300,
      schedule: false,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
  return { keys, held, writer };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the feeds lock', () => {
  it('is renewed while a run lasts longer than the lock, so no second writer starts', async () => {
    const { keys, held, writer } = await setup('feeds lock renewed');
    const run = writer(held.store).runOnce();
    await held.firstPut;
    await sleep(1_000); // more than three lock lifetimes
    expect(await redis.get(keys.feedsLock())).not.toBeNull();
    expect(await writer(heldStore().store).runOnce()).toEqual([]);
    held.letGo();
    expect(await run).toEqual(['2026-11-20']);
    expect(held.objects.has(MANIFEST_KEY)).toBe(true);
    expect(await redis.get(keys.feedsLock())).toBeNull();
  });

  it('stops writing when its lock was taken, and leaves the days to the next run', async () => {
    const { keys, held, writer } = await setup('feeds lock lost');
    const run = writer(held.store).runOnce();
    await held.firstPut;
    await redis.set(keys.feedsLock(), 'another-writer');
    held.letGo();
    await expect(run).rejects.toBeInstanceOf(FeedsLockLostError);
    expect(held.objects.has(MANIFEST_KEY)).toBe(false);
    expect(await redis.smembers(keys.dirtyDaysWriting(0))).toEqual(['2026-11-20']);
    expect(await redis.get(keys.feedsLock())).toBe('another-writer');
  });
});
