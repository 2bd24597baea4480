import type { RollupCounters } from '@vocflow/contracts';
import { createLogger, createRegistry } from '@vocflow/observability';
import { derive, driversOf, emptyCounters } from '@vocflow/rollups';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApiApp } from './app.ts';
import { failingAsRedis } from './redis-dependency.ts';
import { addCounters } from './rollup-queries.adapter.ts';
import type { Bucket, FeedFile, RollupQueries, SegmentCounters } from './rollup-queries.ts';

const KEY = 'test-key-1';
const auth = { authorization: `Bearer ${KEY}` };

function counters(partial: Partial<RollupCounters>): RollupCounters {
  return { ...emptyCounters(), ...partial };
}

/** An in-memory stand-in for the rollups in Redis. */
function fakeQueries(data: {
  overall: RollupCounters;
  segments: Record<string, { all: RollupCounters; buckets: Bucket[] }>;
  customers?: Record<string, { profile: Record<string, unknown> | null; all: RollupCounters }>;
}): RollupQueries {
  const list = (): SegmentCounters[] =>
    Object.entries(data.segments).map(([segmentId, s]) => ({ segmentId, counters: s.all }));
  return {
    overview: async () => data.overall,
    listSegments: async () => list(),
    allTime: async (scope, id) =>
      scope === 'segment' ? (data.segments[id]?.all ?? null) : (data.customers?.[id]?.all ?? null),
    series: async (scope, id, _granularity, from, to) =>
      (scope === 'segment' ? (data.segments[id]?.buckets ?? []) : []).filter(
        (b) => new Date(b.bucketStart) >= from && new Date(b.bucketStart) < to,
      ),
    getCustomer: async (id) =>
      data.customers?.[id] ? { customerId: id, profile: data.customers[id].profile } : null,
    latestFeedback: async () => [{ feedbackId: 'f1', nps: 3 }],
    recentAlerts: async () => [],
    worstSegments: async (limit) => list().slice(0, limit),
    verbatims: async () => ({ items: [], next: null }),
    derive,
    drivers: driversOf,
    empty: emptyCounters,
    add: addCounters,
  };
}

const enterprise = counters({
  count: 4,
  npsPromoters: 2,
  npsPassives: 1,
  npsDetractors: 1,
  csatSatisfied: 1,
  csatAnswered: 2,
});

describe('query API', () => {
  let app: FastifyInstance;
  let feedCalls: { from: string; to: string }[];

  beforeEach(async () => {
    feedCalls = [];
    app = await buildApiApp({
      logger: createLogger({ service: 'api-test', level: 'silent' }),
      registry: createRegistry('api-test'),
      checks: [{ name: 'redis', check: () => true }],
      queries: fakeQueries({
        overall: counters({
          count: 5,
          npsPromoters: 2,
          npsDetractors: 2,
          npsPassives: 1,
          channels: { survey: 5 },
        }),
        segments: {
          'tier:enterprise': {
            all: enterprise,
            buckets: [
              { bucketStart: '2026-11-20T00:00:00.000Z', counters: counters({ count: 1, npsPromoters: 1 }) },
              {
                bucketStart: '2026-11-22T00:00:00.000Z',
                counters: counters({ count: 3, npsDetractors: 1, npsPromoters: 1, npsPassives: 1 }),
              },
            ],
          },
        },
        customers: { 'cus-1': { profile: { id: 'cus-1', tier: 'enterprise' }, all: enterprise } },
      }),
      pipeline: { counts: async () => ({ ingested: 7, dlq: 1 }) },
      feeds: {
        list: async (from, to): Promise<FeedFile[]> => {
          feedCalls.push({ from, to });
          return [];
        },
      },
      apiKeys: ['old-key', KEY],
      cacheControl: 'private, max-age=5',
      version: 'test',
      clock: () => new Date('2026-11-22T12:30:00Z'),
    });
  });
  afterEach(() => app.close());

  it('rejects /v1 calls without a valid bearer key with a 401 problem', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, { authorization: `Basic ${KEY}` }]) {
      const response = await app.inject({ method: 'GET', url: '/v1/overview', headers });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.json()).toMatchObject({
        status: 401,
        title: 'Missing or invalid API key',
        instance: '/v1/overview',
      });
    }
  });

  it('accepts any of the configured keys', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/segments',
      headers: { authorization: 'Bearer old-key' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers the overview with raw counts, derived metrics and pipeline counts', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/overview', headers: auth });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.totals.counts.count).toBe(5);
    expect(body.totals.metrics).toEqual({ nps: 0, csatPercent: null, cesMean: null, sentimentMean: null });
    expect(body.channels).toEqual({ survey: 5 });
    expect(body.pipeline).toEqual({ ingested: 7, dlq: 1 });
    expect(body.worstSegments[0]).toMatchObject({
      segmentId: 'tier:enterprise',
      metrics: { nps: 25, csatPercent: 50 },
    });
  });

  it('adds the period only when a range is named, so a polled overview does not read every bucket', async () => {
    const plain = await app.inject({ method: 'GET', url: '/v1/overview', headers: auth });
    expect(plain.json()).not.toHaveProperty('period');
    const ranged = await app.inject({ method: 'GET', url: '/v1/overview?granularity=day', headers: auth });
    expect(ranged.statusCode).toBe(200);
    expect(ranged.json().period.totals).toBeDefined();
  });

  it('answers 304 when If-None-Match holds the current ETag, with Cache-Control', async () => {
    const first = await app.inject({ method: 'GET', url: '/v1/segments', headers: auth });
    expect(first.headers['cache-control']).toBe('private, max-age=5');
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const second = await app.inject({
      method: 'GET',
      url: '/v1/segments',
      headers: { ...auth, 'if-none-match': etag },
    });
    expect(second.statusCode).toBe(304);
    expect(second.body).toBe('');
    const stale = await app.inject({
      method: 'GET',
      url: '/v1/segments',
      headers: { ...auth, 'if-none-match': '"other"' },
    });
    expect(stale.statusCode).toBe(200);
  });

  it('gives a segment series with every bucket in range, empty ones included, and range totals', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/segments/tier%3Aenterprise?from=2026-11-20&to=2026-11-22&granularity=day',
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.from).toBe('2026-11-20T00:00:00.000Z');
    expect(body.to).toBe('2026-11-23T00:00:00.000Z');
    expect(body.series.map((b: { bucketStart: string }) => b.bucketStart)).toEqual([
      '2026-11-20T00:00:00.000Z',
      '2026-11-21T00:00:00.000Z',
      '2026-11-22T00:00:00.000Z',
    ]);
    expect(body.series[1].counts.count).toBe(0);
    expect(body.series[1].metrics.nps).toBeNull();
    expect(body.series[0].metrics.nps).toBe(100);
    expect(body.totals.counts.count).toBe(4);
    expect(body.totals.metrics.nps).toBe(25);
    expect(body.allTime.counts.count).toBe(4);
  });

  it('answers 400 problem+json listing every bad query parameter', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/segments/tier%3Aenterprise?from=yesterday&granularity=week&colour=red',
      headers: auth,
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const paths = response.json().issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['from', 'granularity', '(query)']));
  });

  it('answers 400 when from is after to or the range has too many buckets', async () => {
    const backwards = await app.inject({
      method: 'GET',
      url: '/v1/segments/tier%3Aenterprise?from=2026-11-22&to=2026-11-01',
      headers: auth,
    });
    expect(backwards.statusCode).toBe(400);
    const huge = await app.inject({
      method: 'GET',
      url: '/v1/segments/tier%3Aenterprise?from=2000-01-01&to=2026-01-01&granularity=hour',
      headers: auth,
    });
    expect(huge.statusCode).toBe(400);
  });

  it('answers 404 for an unknown segment or customer', async () => {
    const segment = await app.inject({ method: 'GET', url: '/v1/segments/tier%3Anope', headers: auth });
    expect(segment.statusCode).toBe(404);
    expect(segment.json().type).toMatch(/segment-not-found$/);
    const customer = await app.inject({ method: 'GET', url: '/v1/customers/ghost', headers: auth });
    expect(customer.statusCode).toBe(404);
    expect(customer.json().type).toMatch(/customer-not-found$/);
  });

  it("gives a customer's profile, totals, series and latest feedback", async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/customers/cus-1?granularity=hour',
      headers: auth,
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.profile).toEqual({ id: 'cus-1', tier: 'enterprise' });
    expect(body.allTime.metrics.nps).toBe(25);
    expect(body.series).toHaveLength(48);
    expect(body.latestFeedback).toEqual([{ feedbackId: 'f1', nps: 3 }]);
  });

  it('lists feeds for the last 7 days by default and validates dates', async () => {
    const ok = await app.inject({ method: 'GET', url: '/v1/feeds', headers: auth });
    expect(ok.statusCode).toBe(200);
    expect(feedCalls).toEqual([{ from: '2026-11-16', to: '2026-11-22' }]);
    const bad = await app.inject({ method: 'GET', url: '/v1/feeds?from=2026-13-01', headers: auth });
    expect(bad.statusCode).toBe(400);
  });

  it('serves the dashboard page, the OpenAPI document and the ops routes without a key', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('/v1/overview');
    const openapi = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(openapi.json()).toMatchObject({ openapi: '3.1.0' });
    expect(Object.keys(openapi.json().paths)).toEqual(
      expect.arrayContaining([
        '/v1/overview',
        '/v1/segments',
        '/v1/segments/{segmentId}',
        '/v1/customers/{customerId}',
        '/v1/drivers',
        '/v1/verbatims',
        '/v1/alerts',
        '/v1/feeds',
      ]),
    );
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toContain('process_cpu');
  });

  it('answers unknown paths with a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});

describe('query API with Redis down', () => {
  it('answers 503 with Retry-After when the store fails while Redis is not ready', async () => {
    const broken = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const app = await buildApiApp({
      logger: createLogger({ service: 'api-test', level: 'silent' }),
      registry: createRegistry('api-test'),
      checks: [],
      queries: failingAsRedis(
        {
          ...fakeQueries({ overall: emptyCounters(), segments: {} }),
          listSegments: () => Promise.reject(broken),
        },
        () => false,
      ),
      pipeline: { counts: async () => null },
      feeds: { list: async () => [] },
      apiKeys: [KEY],
      cacheControl: 'private, max-age=5',
      version: 'test',
    });
    const response = await app.inject({ method: 'GET', url: '/v1/segments', headers: auth });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    await app.close();
  });
});

describe('a polled overview', () => {
  it('reads its totals on every call but the worst segments and alerts at most once per overviewCacheMs', async () => {
    let now = Date.parse('2026-11-22T12:30:00Z');
    let overall = 1;
    const calls = { worst: 0, alerts: 0 };
    const base = fakeQueries({ overall: counters({ count: 1 }), segments: {} });
    const app = await buildApiApp({
      logger: createLogger({ service: 'api-test', level: 'silent' }),
      registry: createRegistry('api-test'),
      checks: [],
      queries: {
        ...base,
        overview: async () => counters({ count: overall }),
        worstSegments: async (limit) => {
          calls.worst++;
          return base.worstSegments(limit);
        },
        recentAlerts: async (limit) => {
          calls.alerts++;
          return base.recentAlerts(limit);
        },
      },
      pipeline: { counts: async () => null },
      feeds: { list: async () => [] },
      apiKeys: [KEY],
      cacheControl: 'no-store',
      overviewCacheMs: 1_000,
      version: 'test',
      clock: () => new Date(now),
    });
    try {
      const count = async () =>
        (await app.inject({ method: 'GET', url: '/v1/overview', headers: auth })).json().totals.counts.count;
      expect(await count()).toBe(1);
      overall = 2;
      now += 500;
      expect(await count()).toBe(2); // totals are fresh on every call
      expect(calls).toEqual({ worst: 1, alerts: 1 });
      now += 600; // past the 1,000 ms since the first read
      await count();
      expect(calls).toEqual({ worst: 2, alerts: 2 });
    } finally {
      await app.close();
    }
  });
});
