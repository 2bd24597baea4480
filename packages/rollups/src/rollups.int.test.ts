import type { CustomerProfile, FeedbackAlert } from '@vocflow/contracts';
import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { FENCED } from './apply.script.ts';
import { contributionOf } from './contribution.ts';
import { createRollupReader } from './rollup-reader.ts';
import { createRollupWriter } from './rollup-writer.ts';
import { enrichedItem } from './test-items.ts';

const redis = new Redis(stackSettings().redisUrl);
const prefixes: string[] = [];
afterEach(async () => {
  for (const ns of prefixes.splice(0)) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${ns}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  }
});
afterAll(() => redis.disconnect());

function setup(name: string, shards = 8) {
  const keyPrefix = testNamespace(name);
  prefixes.push(keyPrefix);
  return {
    keyPrefix,
    writer: createRollupWriter(redis, { keyPrefix, shards, latestPerCustomer: 3 }),
    reader: createRollupReader(redis, { keyPrefix, shards }),
  };
}

describe('rollups in Redis', () => {
  it('sums a rollup over its shards and derives the metrics', async () => {
    const { writer, reader } = setup('sum shards');
    const items = Array.from({ length: 40 }, (_, i) =>
      enrichedItem({
        feedbackId: `f-${i}`,
        normalized: {
          nps: { score: i % 2 === 0 ? 10 : 0, category: i % 2 === 0 ? 'promoter' : 'detractor' },
        },
      }),
    );
    const outcome = await writer.apply(items.map(contributionOf));
    expect(outcome.applied).toBe(40);
    expect(outcome.commands).toBeGreaterThan(1);
    const overview = await reader.overview();
    expect(overview.counters).toMatchObject({
      count: 40,
      npsPromoters: 20,
      npsDetractors: 20,
      channels: { survey: 40 },
    });
    expect(overview.derived.nps).toBe(0);
    expect(await reader.segmentExists('tier:enterprise')).toBe(true);
    expect(await reader.segmentExists('tier:nope')).toBe(false);
    expect(await reader.customerExists('cust-1')).toBe(true);
  });

  it('fences a writer whose shard another writer claimed, and keeps exact totals while both write', async () => {
    const { writer: first, reader, keyPrefix } = setup('fencing', 1);
    const second = createRollupWriter(redis, { keyPrefix, shards: 1 });
    const items = Array.from({ length: 30 }, (_, i) =>
      contributionOf(enrichedItem({ feedbackId: `x-${i}` })),
    );
    await first.apply(items.slice(0, 10));
    // The second writer takes the shard over (a rebalance): it reads what the first one wrote.
    expect((await second.apply(items.slice(5, 20))).applied).toBe(10);
    // The first writer still holds the shard in memory: its write is refused, nothing of it lands.
    await expect(first.apply(items.slice(20, 30))).rejects.toThrow(FENCED);
    expect((await reader.overview()).counters.count).toBe(20);
    // Retrying claims the shard again from what Redis holds, and the redelivered items count once.
    expect((await first.apply(items.slice(15, 30))).applied).toBe(10);
    expect((await second.apply(items.slice(0, 30))).applied).toBe(0);
    expect((await reader.overview()).counters.count).toBe(30);
  });

  it('keeps applying when a rollup spans more hour buckets than a writer holds in memory', async () => {
    const { writer, reader } = setup('many hours', 1);
    const start = Date.UTC(2026, 0, 1);
    const items = Array.from({ length: 2_100 }, (_, i) =>
      contributionOf(
        enrichedItem({ feedbackId: `h-${i}`, occurredAt: new Date(start + i * 3_600_000).toISOString() }),
      ),
    );
    expect((await writer.apply(items)).applied).toBe(2_100);
    const late = contributionOf(enrichedItem({ feedbackId: 'h-late', occurredAt: '2026-06-01T00:00:00Z' }));
    expect((await writer.apply([late])).applied).toBe(1);
    expect((await reader.overview()).counters.count).toBe(2_101);
  });

  it('moves an item to its new hour bucket and leaves no empty key behind', async () => {
    const { writer, reader, keyPrefix } = setup('move bucket', 1);
    await writer.apply([contributionOf(enrichedItem({ occurredAt: '2026-11-20T10:00:00Z' }))]);
    await writer.apply([contributionOf(enrichedItem({ version: 2, occurredAt: '2026-11-20T11:00:00Z' }))]);
    const series = await reader.series(
      'overall',
      'overall',
      'hour',
      new Date('2026-11-20T09:00:00Z'),
      new Date('2026-11-20T12:00:00Z'),
    );
    expect(series.map((s) => [s.bucketStart, s.counters.count])).toEqual([['2026-11-20T11:00:00.000Z', 1]]);
    expect(await redis.exists(`{${keyPrefix}:s0}:r:o:h:2026-11-20T10`)).toBe(0);
  });

  it('keeps the latest feedback per customer newest first, and recent alerts and profiles for the API', async () => {
    const { writer, reader } = setup('latest');
    await writer.apply(
      Array.from({ length: 5 }, (_, i) =>
        contributionOf(enrichedItem({ feedbackId: `l-${i}`, occurredAt: `2026-11-2${i}T10:00:00Z` })),
      ),
    );
    expect((await reader.latestFeedback('cust-1', 2)).map((f) => f.feedbackId)).toEqual(['l-4', 'l-3']);
    const profile: CustomerProfile = {
      schema: 'customers.v1',
      id: 'cust-1',
      tier: 'enterprise',
      handles: [],
      attributes: {},
      updatedAt: '2026-11-20T10:00:00Z',
    };
    await writer.saveProfile(profile);
    expect(await reader.getCustomer('cust-1')).toEqual(profile);
    await writer.deleteProfile('cust-1');
    expect(await reader.getCustomer('cust-1')).toBeNull();
    const alert = (n: number): FeedbackAlert => ({
      schema: 'feedback.alerts.v1',
      alertId: `a-${n}`,
      rule: 'nps_detractor',
      severity: 'warning',
      feedbackId: `l-${n}`,
      version: 1,
      customerKey: 'cust-1',
      segments: [],
      source: 'typeform',
      channel: 'survey',
      occurredAt: '2026-11-20T10:00:00Z',
      createdAt: `2026-11-20T10:0${n}:00Z`,
    });
    await writer.saveAlerts([alert(1), alert(2)]);
    await writer.saveAlerts([alert(2)]);
    expect((await reader.recentAlerts(10)).map((a) => a.alertId)).toEqual(['a-2', 'a-1']);
  });

  it('ranks the worst segments by NPS', async () => {
    const { writer, reader } = setup('worst');
    await writer.apply([
      contributionOf(
        enrichedItem({
          feedbackId: 'w-1',
          segments: ['good'],
          normalized: { nps: { score: 10, category: 'promoter' } },
        }),
      ),
      contributionOf(
        enrichedItem({
          feedbackId: 'w-2',
          segments: ['bad'],
          normalized: { nps: { score: 1, category: 'detractor' } },
        }),
      ),
      contributionOf(enrichedItem({ feedbackId: 'w-3', segments: ['silent'], normalized: {} })),
    ]);
    expect((await reader.worstSegments(3)).map((s) => s.id)).toEqual(['bad', 'good', 'silent']);
  });
});
