import type { CustomerProfile, EnrichedFeedback, FeedbackAlert } from '@vocflow/contracts';
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

function setup(name: string, shards = 8, verbatimsPerScope = 200) {
  const keyPrefix = testNamespace(name);
  prefixes.push(keyPrefix);
  return {
    keyPrefix,
    // Fixed event dates: keep their buckets whatever today's date (retention is tested in retention.int.test.ts).
    writer: createRollupWriter(redis, {
      keyPrefix,
      shards,
      latestPerCustomer: 3,
      verbatimsPerScope,
      hourRetentionDays: 36_500,
      dayRetentionDays: 36_500,
    }),
    reader: createRollupReader(redis, { keyPrefix, shards, verbatimsPerScope }),
  };
}

const sentimentOf = (
  label: 'negative' | 'neutral' | 'positive',
  aspects: [string, 'negative' | 'neutral' | 'positive'][] = [],
  language = 'en',
): EnrichedFeedback['sentiment'] => ({
  score: label === 'negative' ? -0.5 : label === 'positive' ? 0.5 : 0,
  label,
  confidence: 0.9,
  language,
  supported: true,
  aspects: aspects.map(([aspect, l]) => ({
    aspect,
    label: l,
    score: l === 'negative' ? -0.5 : l === 'positive' ? 0.5 : 0,
    evidence: [],
  })),
  analyzerVersion: 'test',
});

/** Every key of a namespace with its contents, to compare two states of Redis. */
async function keysOf(ns: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${ns}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
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
    const second = createRollupWriter(redis, {
      keyPrefix,
      shards: 1,
      hourRetentionDays: 36_500,
      dayRetentionDays: 36_500,
    });
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

  it('keeps per aspect the NPS classes of the items that mention it, and a later version replaces them', async () => {
    const { writer, reader } = setup('aspect nps');
    const item = (id: string, version: number, nps: number, aspects: [string, 'negative' | 'positive'][]) =>
      contributionOf(
        enrichedItem({
          feedbackId: id,
          version,
          normalized: {
            nps: { score: nps, category: nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor' },
          },
          sentiment: sentimentOf('neutral', aspects),
        }),
      );
    await writer.apply([
      item('p-1', 1, 3, [['price', 'negative']]),
      item('p-2', 1, 10, [['service', 'positive']]),
      item('p-3', 1, 8, [['price', 'negative']]),
    ]);
    // p-1 is re-answered: a promoter now, and about service; a redelivery of the first version changes nothing.
    await writer.apply([
      item('p-1', 2, 9, [['service', 'positive']]),
      item('p-1', 1, 3, [['price', 'negative']]),
    ]);
    const { aspects } = (await reader.getRollup('segment', 'tier:enterprise')).counters;
    expect(aspects['price']).toMatchObject({
      count: 1,
      negative: 1,
      npsPromoters: 0,
      npsPassives: 1,
      npsDetractors: 0,
    });
    expect(aspects['service']).toMatchObject({
      count: 2,
      positive: 2,
      npsPromoters: 2,
      npsPassives: 0,
      npsDetractors: 0,
    });
  });

  it('lists the newest comments per scope, aspect and label, newest first, with a cursor', async () => {
    const { writer, reader } = setup('verbatims', 4);
    await writer.apply(
      Array.from({ length: 6 }, (_, i) =>
        contributionOf(
          enrichedItem({
            feedbackId: `v-${i}`,
            occurredAt: `2026-11-2${i}T10:00:00Z`,
            segments: i % 2 === 0 ? ['tier:enterprise'] : ['tier:smb'],
            texts: [{ field: 'comment', text: `comment ${i}` }],
            sentiment: sentimentOf(
              i < 3 ? 'negative' : 'positive',
              i < 3 ? [['price', 'negative']] : [['price', 'positive']],
              i === 5 ? 'zh' : 'en',
            ),
          }),
        ),
      ),
    );
    const ids = (page: { items: { feedbackId: string }[] }) => page.items.map((v) => v.feedbackId);
    const first = await reader.verbatims({ limit: 4 });
    expect(ids(first)).toEqual(['v-5', 'v-4', 'v-3', 'v-2']);
    expect(first.next).toEqual({ at: Date.parse('2026-11-22T10:00:00Z'), id: 'v-2' });
    const second = await reader.verbatims({ limit: 4, after: first.next! });
    expect(ids(second)).toEqual(['v-1', 'v-0']);
    expect(second.next).toBeNull();
    expect(ids(await reader.verbatims({ segment: 'tier:enterprise', limit: 10 }))).toEqual([
      'v-4',
      'v-2',
      'v-0',
    ]);
    expect(ids(await reader.verbatims({ aspect: 'price', label: 'negative', limit: 10 }))).toEqual([
      'v-2',
      'v-1',
      'v-0',
    ]);
    expect(ids(await reader.verbatims({ label: 'positive', language: 'zh', limit: 10 }))).toEqual(['v-5']);
    expect((await reader.verbatims({ limit: 1 })).items[0]).toMatchObject({
      text: 'comment 5',
      language: 'zh',
      customerKey: 'cust-1',
      sentimentLabel: 'positive',
      aspects: [{ aspect: 'price', score: 0.5, label: 'positive' }],
    });
  });

  it("replaces a replaced version's comment instead of listing it twice, and drops it when the text goes", async () => {
    const { writer, reader, keyPrefix } = setup('verbatim versions', 1);
    const version = (v: number, text: string, label: 'negative' | 'positive') =>
      contributionOf(
        enrichedItem({
          feedbackId: 'r-1',
          version: v,
          texts: text ? [{ field: 'comment', text }] : [],
          sentiment: sentimentOf(label, [['delivery', label]]),
        }),
      );
    await writer.apply([version(1, 'late again', 'negative')]);
    await writer.apply([version(2, 'arrived, fine', 'positive')]);
    const all = await reader.verbatims({ limit: 10 });
    expect(all.items.map((v) => [v.feedbackId, v.version, v.text])).toEqual([['r-1', 2, 'arrived, fine']]);
    expect((await reader.verbatims({ aspect: 'delivery', label: 'negative', limit: 10 })).items).toEqual([]);
    expect((await reader.verbatims({ label: 'positive', limit: 10 })).items).toHaveLength(1);
    await writer.apply([version(3, '', 'positive')]);
    expect((await reader.verbatims({ limit: 10 })).items).toEqual([]);
    expect((await keysOf(keyPrefix)).filter((k) => /:(vl|vb|vr)/.test(k))).toEqual([]);
  });

  it('keeps at most the bound per list and drops a comment no list holds any more', async () => {
    const { writer, reader, keyPrefix } = setup('verbatim bound', 1, 3);
    const item = (i: number, aspect: string) =>
      contributionOf(
        enrichedItem({
          feedbackId: `b-${i}`,
          occurredAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
          segments: [],
          texts: [{ field: 'comment', text: `text ${i}` }],
          sentiment: sentimentOf('neutral', [[aspect, 'neutral']]),
        }),
      );
    // b-0 is about quality (listed there alone); b-1…b-5 push everything but b-0 out of the busy lists.
    await writer.apply([item(0, 'quality'), ...[1, 2, 3, 4, 5].map((i) => item(i, 'price'))]);
    expect((await reader.verbatims({ limit: 10 })).items.map((v) => v.feedbackId)).toEqual([
      'b-5',
      'b-4',
      'b-3',
    ]);
    expect((await reader.verbatims({ aspect: 'quality', limit: 10 })).items.map((v) => v.feedbackId)).toEqual(
      ['b-0'],
    );
    // b-1 and b-2 are in no list: their comments are gone; b-0 stays for the quality list.
    expect((await redis.hkeys(`{${keyPrefix}:s0}:vb`)).sort()).toEqual(['b-0', 'b-3', 'b-4', 'b-5']);
  });

  it('counts, for every comment kept, exactly the lists holding it, through adds, new versions and trims', async () => {
    const { writer, keyPrefix } = setup('verbatim counts', 1, 4);
    const labels = ['negative', 'positive', 'neutral'] as const;
    const aspects = ['price', 'quality', 'delivery'];
    const item = (i: number, version: number, withText = true) =>
      contributionOf(
        enrichedItem({
          feedbackId: `c-${i % 9}`,
          version,
          occurredAt: new Date(Date.UTC(2026, 10, 1, i % 24, i)).toISOString(),
          segments: [`tier:${i % 2 ? 'smb' : 'enterprise'}`],
          texts: withText ? [{ field: 'comment', text: `text ${i}` }] : [],
          sentiment: sentimentOf(labels[i % 3]!, [[aspects[i % 3]!, labels[(i + 1) % 3]!]]),
        }),
      );
    // Batches of several items, later versions of earlier ones (some losing their text), trims at 4.
    for (let batch = 0; batch < 6; batch++)
      await writer.apply(
        Array.from({ length: 5 }, (_, k) => batch * 5 + k).map((i) =>
          item(i, 1 + Math.floor(i / 9), i % 7 !== 3),
        ),
      );
    const base = `{${keyPrefix}:s0}`;
    const lists = (await keysOf(keyPrefix)).filter((k) => k.startsWith(`${base}:vl:`));
    const held = new Map<string, number>();
    for (const list of lists)
      for (const id of await redis.zrange(list, 0, -1)) held.set(id, (held.get(id) ?? 0) + 1);
    expect(held.size).toBeGreaterThan(0);
    const refs = await redis.hgetall(`${base}:vr`);
    expect(Object.fromEntries(Object.entries(refs).map(([id, n]) => [id, Number(n)]))).toEqual(
      Object.fromEntries(held),
    );
    expect((await redis.hkeys(`${base}:vb`)).sort()).toEqual([...held.keys()].sort());
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
