import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { contributionOf } from './contribution.ts';
import { eraseCustomerRollups } from './customer-erasure.ts';
import { createRollupReader } from './rollup-reader.ts';
import { createRollupWriter } from './rollup-writer.ts';
import { enrichedItem } from './test-items.ts';

const redis = new Redis(stackSettings().redisUrl);
const keyPrefix = testNamespace('erase-rollups');
afterAll(async () => {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

const shards = 4;
const options = { keyPrefix, shards, hourRetentionDays: 36_500, dayRetentionDays: 36_500 };
const item = (id: string, customer: string, nps: number, version = 1) =>
  enrichedItem({
    feedbackId: id,
    version,
    customer: { ref: { id: customer }, key: customer, profile: null },
    scores: { nps },
    normalized: { nps: { score: nps, category: nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor' } },
    texts: [{ field: 'comment', text: `comment ${id}` }],
    segments: ['tier:enterprise'],
  });

async function keysNaming(text: string): Promise<string[]> {
  const hits: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${keyPrefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const content =
        type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'set'
            ? JSON.stringify(await redis.smembers(key))
            : type === 'zset'
              ? JSON.stringify(await redis.zrange(key, 0, -1))
              : type === 'string'
                ? ((await redis.get(key)) ?? '')
                : '';
      if (key.includes(text) || content.includes(text)) hits.push(key);
    }
  } while (cursor !== '0');
  return hits;
}

describe('erasing a customer from the rollups in Redis', () => {
  it('leaves nothing that names them, keeps overall and segment counts, and a later version still replaces its contribution', async () => {
    const writer = createRollupWriter(redis, options);
    const reader = createRollupReader(redis, { keyPrefix, shards });
    const items = [
      item('e1', 'cus_gone', 3),
      item('e2', 'cus_gone', 10),
      item('e3', 'cus_stay', 9),
      item('e4', 'cus_gone', 8),
    ];
    await writer.apply(items.map(contributionOf));
    await redis.set(`${keyPrefix}:profile:cus_gone`, '{"id":"cus_gone"}');
    const overall = (await reader.overview()).counters;
    const segment = (await reader.getRollup('segment', 'tier:enterprise')).counters;
    expect(await reader.customerExists('cus_gone')).toBe(true);

    const counts = await eraseCustomerRollups(redis, options, 'cus_gone');
    expect(counts).toMatchObject({ feedbackItems: 3, verbatims: 3, profiles: 1 });
    expect(counts.rollupKeys).toBeGreaterThan(0);
    expect(counts.days).toEqual(['2026-11-20']);
    expect(await keysNaming('cus_gone')).toEqual([]);
    expect(await reader.customerExists('cus_gone')).toBe(false);
    expect(await reader.customerExists('cus_stay')).toBe(true);
    expect((await reader.overview()).counters).toEqual(overall);
    expect((await reader.getRollup('segment', 'tier:enterprise')).counters).toEqual(segment);
    const verbatims = await reader.verbatims({ limit: 10 });
    expect(verbatims.items.map((v) => v.feedbackId)).toEqual(['e3']);
    expect(JSON.stringify(verbatims)).not.toContain('cus_gone');

    // The writer that held the shards in memory is fenced and reloads: a newer version of an erased
    // item, anonymous now, replaces its old contribution instead of adding to it or reviving the customer.
    const anonymous = {
      ...item('e1', 'unknown', 10, 2),
      customer: { ref: {}, key: 'unknown', profile: null },
    };
    let attempts = 0;
    for (;;) {
      try {
        await writer.apply([contributionOf(anonymous)]);
        break;
      } catch (error) {
        if (++attempts > 2) throw error;
      }
    }
    const after = (await reader.overview()).counters;
    expect(after.count).toBe(overall.count);
    expect(await keysNaming('cus_gone')).toEqual([]);

    // Idempotent: nothing more to remove.
    expect(await eraseCustomerRollups(redis, options, 'cus_gone')).toMatchObject({
      feedbackItems: 0,
      rollupKeys: 0,
    });
  });
});
