import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { contributionOf } from './contribution.ts';
import { createRollupReader } from './rollup-reader.ts';
import { bucketExpiresAt, createRollupWriter } from './rollup-writer.ts';
import { enrichedItem } from './test-items.ts';

const redis = new Redis(stackSettings().redisUrl);
const keyPrefix = testNamespace('rollup retention');
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

const SHARDS = 2;
const retention = { hourRetentionDays: 90, dayRetentionDays: 1_095 };
const writer = createRollupWriter(redis, { keyPrefix, shards: SHARDS, ...retention });
const reader = createRollupReader(redis, { keyPrefix, shards: SHARDS });
const keys = writer.keyspace;
const DAY = 86_400_000;

/** The keys of one rollup's buckets for an item, in the item's shard. */
const bucketKeys = (feedbackId: string, rid: string, hour: string, day: string) => {
  const shard = keys.shardOf(feedbackId);
  return {
    all: keys.rollupBySuffix(shard, rid, 'a'),
    day: keys.rollupBySuffix(shard, rid, `d:${day}`),
    hour: keys.rollupBySuffix(shard, rid, `h:${hour}`),
    members: keys.dayMembers(shard, day),
  };
};

describe('rollup bucket retention on Redis', () => {
  it('sets each hour and day bucket to expire after its retention; the all-time bucket never expires', async () => {
    const now = Date.now();
    const at = new Date(now - 2 * 3_600_000);
    const hour = at.toISOString().slice(0, 13);
    const day = at.toISOString().slice(0, 10);
    await writer.apply(
      [contributionOf(enrichedItem({ feedbackId: 'recent', occurredAt: at.toISOString() }))],
      now,
    );
    const k = bucketKeys('recent', 'o', hour, day);
    expect(await redis.pexpiretime(k.hour)).toBe(bucketExpiresAt('hour', hour, retention));
    expect(await redis.pexpiretime(k.day)).toBe(bucketExpiresAt('day', day, retention));
    expect(await redis.pexpiretime(k.members)).toBe(bucketExpiresAt('day', day, retention));
    expect(await redis.pttl(k.all)).toBe(-1);
    // A rewrite of the bucket keeps its expiry (SET would otherwise clear it).
    await writer.apply(
      [contributionOf(enrichedItem({ feedbackId: 'recent-2', occurredAt: at.toISOString() }))],
      now,
    );
    const k2 = bucketKeys('recent-2', 'o', hour, day);
    expect(await redis.pexpiretime(k2.hour)).toBe(bucketExpiresAt('hour', hour, retention));
  });

  it('writes no bucket past its retention, counts the item all-time, and replaces it without a negative bucket', async () => {
    const now = Date.now();
    const oldHour = new Date(now - 200 * DAY); // past the hour retention, inside the day retention
    const ancient = new Date(now - 2_000 * DAY); // past both
    const a = enrichedItem({
      feedbackId: 'old-hour',
      occurredAt: oldHour.toISOString(),
      segments: ['tier:old'],
    });
    const b = enrichedItem({
      feedbackId: 'ancient',
      occurredAt: ancient.toISOString(),
      segments: ['tier:old'],
    });
    await writer.apply([contributionOf(a), contributionOf(b)], now);
    const ka = bucketKeys(
      'old-hour',
      's:tier:old',
      oldHour.toISOString().slice(0, 13),
      oldHour.toISOString().slice(0, 10),
    );
    const kb = bucketKeys(
      'ancient',
      's:tier:old',
      ancient.toISOString().slice(0, 13),
      ancient.toISOString().slice(0, 10),
    );
    expect(await redis.exists(ka.hour, kb.hour, kb.day, kb.members)).toBe(0);
    expect(await redis.exists(ka.day)).toBe(1);
    expect((await reader.getRollup('segment', 'tier:old')).counters.count).toBe(2);
    expect(await redis.smembers(keys.dirtyDays(keys.shardOf('ancient')))).not.toContain(
      ancient.toISOString().slice(0, 10),
    );

    // A new version of the ancient item moves it into today: counted once all-time, nothing left behind.
    await writer.apply([contributionOf({ ...b, version: 2, occurredAt: new Date(now).toISOString() })], now);
    expect((await reader.getRollup('segment', 'tier:old')).counters.count).toBe(2);
    expect(await redis.exists(kb.hour, kb.day)).toBe(0);
  });
});
