import type { EnrichedFeedback, SentimentLabel } from '@vocflow/contracts';
import { createLogger, createRegistry } from '@vocflow/observability';
import { contributionOf, createRollupReader, createRollupWriter } from '@vocflow/rollups';
import { enrichedItem } from '@vocflow/rollups/testing';
import { stackSettings, testNamespace } from '@vocflow/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from './app.ts';
import { createRollupQueries } from './rollup-queries.adapter.ts';

/**
 * Drivers and verbatims through the real rollup writer, Redis and reader, on known input: every
 * figure is asserted exactly.
 */

const KEY = 'insights-key';
const auth = { authorization: `Bearer ${KEY}` };
const SHARDS = 4;
const redis = new Redis(stackSettings().redisUrl);
const ns = testNamespace('api insights');

type Aspect = [name: string, label: SentimentLabel, score: number];

function item(
  id: string,
  hour: number,
  nps: number,
  label: SentimentLabel | null,
  aspects: Aspect[],
  text: string,
  extra: Partial<EnrichedFeedback> = {},
): EnrichedFeedback {
  const category = nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor';
  return enrichedItem({
    feedbackId: id,
    providerResponseId: id,
    occurredAt: new Date(Date.UTC(2026, 10, 20, hour)).toISOString(),
    customer: { ref: { id: `cus-${id}` }, key: `cus-${id}`, profile: null },
    scores: { nps },
    normalized: { nps: { score: nps, category } },
    sentiment:
      label === null
        ? null
        : {
            score: label === 'negative' ? -0.5 : label === 'positive' ? 0.5 : 0,
            label,
            confidence: 0.9,
            language: 'en',
            supported: true,
            aspects: aspects.map(([aspect, l, score]) => ({ aspect, label: l, score, evidence: [] })),
            analyzerVersion: 'test',
          },
    texts: text ? [{ field: 'comment', text }] : [],
    segments: ['tier:enterprise'],
    ...extra,
  });
}

/**
 * tier:enterprise on 2026-11-20: 8 items with NPS answers (3 promoters, 2 passives, 3 detractors:
 * NPS 0), all 8 scored for sentiment. d-7 is answered twice: its second version replaces the first.
 */
const zh = (i: EnrichedFeedback): EnrichedFeedback => ({
  ...i,
  sentiment: i.sentiment ? { ...i.sentiment, language: 'zh' } : null,
});
const items: EnrichedFeedback[] = [
  item('d-1', 1, 2, 'negative', [['price', 'negative', -0.6]], 'Far too expensive for what it does'),
  item(
    'd-2',
    2,
    4,
    'negative',
    [
      ['price', 'negative', -0.4],
      ['delivery', 'negative', -0.5],
    ],
    'Pricey and late',
  ),
  item('d-3', 3, 10, 'positive', [['service', 'positive', 0.8]], 'Support was wonderful'),
  item(
    'd-4',
    4,
    9,
    'positive',
    [
      ['service', 'positive', 0.6],
      ['price', 'neutral', 0.1],
    ],
    'Great team, fair price',
  ),
  item('d-5', 5, 8, 'negative', [['price', 'negative', -0.2]], 'A bit expensive'),
  item('d-6', 6, 7, 'neutral', [], 'It works'),
  item('d-7', 7, 0, 'negative', [['quality', 'negative', -0.7]], 'Broke on day one'),
  zh(item('d-8', 8, 6, 'neutral', [], '送货还可以')),
  // Same scope, outside the range asked for: not in the drivers; its comment is the oldest.
  item('d-0', 0, 0, 'negative', [['price', 'negative', -1]], 'Old complaint', {
    occurredAt: '2026-10-01T00:00:00.000Z',
  }),
  // Another segment: in neither answer about tier:enterprise.
  item('s-1', 9, 0, 'negative', [['price', 'negative', -0.9]], 'Not for us', { segments: ['tier:smb'] }),
];
const replacement = item(
  'd-7',
  10,
  9,
  'positive',
  [['quality', 'positive', 0.5]],
  'Replaced, and now it is solid',
  {
    version: 2,
  },
);

let app: FastifyInstance;

beforeAll(async () => {
  const writer = createRollupWriter(redis, { keyPrefix: ns, shards: SHARDS });
  await writer.apply(items.map(contributionOf));
  await writer.apply([contributionOf(replacement)]);
  // A redelivery of the first version changes nothing.
  await writer.apply([contributionOf(items[6]!)]);
  await writer.saveAlerts(
    (
      [
        ['d-1', 'tier:enterprise', 1],
        ['s-1', 'tier:smb', 2],
        ['d-2', 'tier:enterprise', 3],
      ] as const
    ).map(([id, segment, minute]) => ({
      schema: 'feedback.alerts.v1' as const,
      alertId: `${id}:v1:nps-detractor`,
      rule: 'nps-detractor',
      severity: 'warning' as const,
      feedbackId: id,
      version: 1,
      customerKey: `cus-${id}`,
      segments: [segment],
      source: 'typeform',
      channel: 'survey',
      occurredAt: '2026-11-20T10:00:00Z',
      createdAt: `2026-11-20T10:0${minute}:00Z`,
    })),
  );
  app = await buildApiApp({
    logger: createLogger({ service: 'api-test', level: 'silent' }),
    registry: createRegistry('api-insights-test'),
    checks: [],
    queries: createRollupQueries(createRollupReader(redis, { keyPrefix: ns, shards: SHARDS })),
    pipeline: { counts: async () => null },
    feeds: { list: async () => [] },
    apiKeys: [KEY],
    cacheControl: 'private, max-age=5',
    version: 'test',
    clock: () => new Date('2026-11-22T12:00:00Z'),
  });
});

afterAll(async () => {
  await app?.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${ns}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

const get = async (url: string) => {
  const response = await app.inject({ method: 'GET', url, headers: auth });
  return { status: response.statusCode, body: response.json() };
};

describe('GET /v1/drivers', () => {
  it('ranks the aspects of a segment by share × NPS gap, with exact figures', async () => {
    const { status, body } = await get('/v1/drivers?segment=tier:enterprise&from=2026-11-20&to=2026-11-20');
    expect(status).toBe(200);
    expect(body).toEqual({
      segment: 'tier:enterprise',
      from: '2026-11-20T00:00:00.000Z',
      to: '2026-11-21T00:00:00.000Z',
      granularity: 'day',
      items: 8,
      analysed: 8,
      nps: 0,
      drivers: [
        {
          // d-1, d-2, d-4, d-5: 1 promoter, 1 passive, 2 detractors → NPS −25.
          aspect: 'price',
          mentions: 4,
          share: 0.5,
          sentimentMean: (-0.6 - 0.4 + 0.1 - 0.2) / 4,
          labels: { negative: 3, neutral: 1, positive: 0 },
          npsAnswers: { promoters: 1, passives: 1, detractors: 2 },
          nps: -25,
          npsGap: -25,
          impact: -12.5,
        },
        {
          // Same impact, fewer mentions: after price.
          aspect: 'delivery',
          mentions: 1,
          share: 0.125,
          sentimentMean: -0.5,
          labels: { negative: 1, neutral: 0, positive: 0 },
          npsAnswers: { promoters: 0, passives: 0, detractors: 1 },
          nps: -100,
          npsGap: -100,
          impact: -12.5,
        },
        {
          // Only d-7's second version: a promoter, positive about quality.
          aspect: 'quality',
          mentions: 1,
          share: 0.125,
          sentimentMean: 0.5,
          labels: { negative: 0, neutral: 0, positive: 1 },
          npsAnswers: { promoters: 1, passives: 0, detractors: 0 },
          nps: 100,
          npsGap: 100,
          impact: 12.5,
        },
        {
          aspect: 'service',
          mentions: 2,
          share: 0.25,
          sentimentMean: 0.7,
          labels: { negative: 0, neutral: 0, positive: 2 },
          npsAnswers: { promoters: 2, passives: 0, detractors: 0 },
          nps: 100,
          npsGap: 100,
          impact: 25,
        },
      ],
    });
  });

  it('takes the overall scope when no segment is given, and 404s an unknown segment', async () => {
    const overall = await get('/v1/drivers?from=2026-11-20&to=2026-11-20');
    // s-1 joins: 9 items, 4 detractors → NPS (3 − 4) / 9 × 100.
    expect(overall.body).toMatchObject({ segment: null, items: 9, analysed: 9, nps: ((3 - 4) / 9) * 100 });
    expect(overall.body.drivers.find((d: { aspect: string }) => d.aspect === 'price')).toMatchObject({
      mentions: 5,
      npsAnswers: { promoters: 1, passives: 1, detractors: 3 },
    });
    // The overview's period holds the same items, for comparing periods.
    const period = (await get('/v1/overview?from=2026-11-20&to=2026-11-20')).body.period;
    expect(period.totals.counts.count).toBe(9);
    expect(period.series.map((b: { bucketStart: string }) => b.bucketStart)).toEqual([
      '2026-11-20T00:00:00.000Z',
    ]);
    expect((await get('/v1/overview?from=2026-10-01&to=2026-10-01')).body.period.totals.counts.count).toBe(1);
    expect((await get('/v1/drivers?segment=tier:nope')).status).toBe(404);
    expect((await get('/v1/drivers?segment=tier:enterprise&bogus=1')).status).toBe(400);
  });
});

describe('GET /v1/alerts', () => {
  it('lists recent alerts newest first, of one customer or one segment', async () => {
    const ids = async (query: string) =>
      (await get(`/v1/alerts${query}`)).body.alerts.map((a: { feedbackId: string }) => a.feedbackId);
    expect(await ids('')).toEqual(['d-2', 's-1', 'd-1']);
    expect(await ids('?limit=1')).toEqual(['d-2']);
    expect(await ids('?customer=cus-d-1')).toEqual(['d-1']);
    expect(await ids('?segment=tier:enterprise')).toEqual(['d-2', 'd-1']);
    expect(await ids('?customer=nobody')).toEqual([]);
    expect((await get('/v1/alerts?limit=201')).status).toBe(400);
  });
});

describe('GET /v1/verbatims', () => {
  const ids = (body: { items: { feedbackId: string }[] }) => body.items.map((v) => v.feedbackId);

  it('pages through the newest comments of a scope with a cursor, a replaced version once', async () => {
    const first = await get('/v1/verbatims?segment=tier:enterprise&limit=4');
    expect(first.status).toBe(200);
    expect(ids(first.body)).toEqual(['d-7', 'd-8', 'd-6', 'd-5']);
    expect(first.body.items[0]).toEqual({
      feedbackId: 'd-7',
      version: 2,
      text: 'Replaced, and now it is solid',
      occurredAt: '2026-11-20T10:00:00.000Z',
      source: 'typeform',
      channel: 'survey',
      kind: 'survey_response',
      customerId: 'cus-d-7',
      language: 'en',
      nps: 9,
      sentimentScore: 0.5,
      sentimentLabel: 'positive',
      aspects: [{ aspect: 'quality', score: 0.5, label: 'positive' }],
    });
    const second = await get(`/v1/verbatims?segment=tier:enterprise&limit=4&cursor=${first.body.nextCursor}`);
    expect(ids(second.body)).toEqual(['d-4', 'd-3', 'd-2', 'd-1']);
    const last = await get(`/v1/verbatims?segment=tier:enterprise&limit=4&cursor=${second.body.nextCursor}`);
    expect(ids(last.body)).toEqual(['d-0']);
    expect(last.body.nextCursor).toBeNull();
  });

  it('filters by aspect and its label, by the item label and by language', async () => {
    const price = await get('/v1/verbatims?segment=tier:enterprise&aspect=price&label=negative');
    expect(ids(price.body)).toEqual(['d-5', 'd-2', 'd-1', 'd-0']);
    expect(price.body).toMatchObject({ aspect: 'price', label: 'negative', nextCursor: null });
    expect(ids((await get('/v1/verbatims?aspect=quality')).body)).toEqual(['d-7']);
    expect(ids((await get('/v1/verbatims?aspect=quality&label=negative')).body)).toEqual([]);
    expect(ids((await get('/v1/verbatims?label=positive')).body)).toEqual(['d-7', 'd-4', 'd-3']);
    const chinese = await get('/v1/verbatims?language=zh');
    expect(chinese.body.items.map((v: { text: string }) => v.text)).toEqual(['送货还可以']);
    expect(ids((await get('/v1/verbatims?segment=tier:smb')).body)).toEqual(['s-1']);
  });

  it('refuses bad parameters with a 400 naming them', async () => {
    for (const query of [
      'label=angry',
      'limit=0',
      'limit=101',
      'cursor=nonsense',
      'aspect=a%20b',
      'language=1',
    ]) {
      const { status, body } = await get(`/v1/verbatims?${query}`);
      expect(status, query).toBe(400);
      expect(body.issues[0].path, query).toBe(query.split('=')[0]);
    }
    expect((await get('/v1/verbatims?segment=tier:nope')).status).toBe(404);
  });
});
