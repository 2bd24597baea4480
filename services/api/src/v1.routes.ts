import type { RollupCounters } from '@vocflow/contracts';
import { grantedScopes, type Keyring, requireScope } from '@vocflow/http';
import type { FastifyPluginAsync } from 'fastify';
import { withoutContact } from './api-key.auth.ts';
import { sendCached } from './http-cache.ts';
import { problems } from './problem.ts';
import {
  bucketStarts,
  encodeCursor,
  parseAlertsQuery,
  parseDriversQuery,
  parseFeedRange,
  parseId,
  parseOverviewQuery,
  parseRange,
  parseVerbatimsQuery,
  rejectQuery,
  type TimeRange,
} from './query-params.ts';
import type { FeedLister, PipelineCounter, QueryScope, RollupQueries } from './rollup-queries.ts';

export interface V1RoutesOptions {
  readonly queries: RollupQueries;
  readonly pipeline: PipelineCounter;
  readonly feeds: FeedLister;
  /** Every /v1 route needs a key with the `read` scope; contact details need `read:contact`. */
  readonly keyring: Keyring;
  /** `Cache-Control` of every /v1 answer. */
  readonly cacheControl: string;
  /**
   * How long the overview's worst segments and recent alerts are reused (they read every segment of
   * every shard); its totals are read on every call. Default 1,000 ms.
   */
  readonly overviewCacheMs?: number;
  readonly clock?: () => Date;
}

/** Raw counts and the derived metrics, side by side, as every total and bucket is shown. */
function view(queries: RollupQueries, counters: RollupCounters) {
  return { counts: counters, metrics: queries.derive(counters) };
}

async function seriesView(queries: RollupQueries, scope: QueryScope, id: string, range: TimeRange) {
  const buckets = await queries.series(scope, id, range.granularity, range.from, range.to);
  const byStart = new Map(buckets.map((b) => [new Date(b.bucketStart).toISOString(), b.counters]));
  let totals = queries.empty();
  const series = bucketStarts(range).map((bucketStart) => {
    const counters = byStart.get(bucketStart) ?? queries.empty();
    totals = queries.add(totals, counters);
    return { bucketStart, ...view(queries, counters) };
  });
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    granularity: range.granularity,
    totals: view(queries, totals),
    series,
  };
}

/** Alerts looked through when filtering by customer or segment (the store keeps RECENT_ALERTS_KEPT). */
const ALERTS_SCANNED = 1_000;

/** A scope's counters summed over a range's buckets. */
async function rangeTotals(queries: RollupQueries, scope: QueryScope, id: string, range: TimeRange) {
  const buckets = await queries.series(scope, id, range.granularity, range.from, range.to);
  return buckets.reduce((sum, b) => queries.add(sum, b.counters), queries.empty());
}

/** 404 unless the segment has feedback. */
async function requireSegment(queries: RollupQueries, segmentId: string): Promise<void> {
  if ((await queries.allTime('segment', segmentId)) === null) throw problems.segmentNotFound(segmentId);
}

/** `/v1/*`: the query API. Every route needs a bearer API key. */
export const v1Routes: FastifyPluginAsync<V1RoutesOptions> = async (app, options) => {
  const { queries, pipeline, feeds, cacheControl } = options;
  const clock = options.clock ?? (() => new Date());
  const overviewCacheMs = options.overviewCacheMs ?? 1_000;
  app.addHook('onRequest', requireScope(options.keyring, 'read'));

  // A monitor polling the overview many times a second reads the totals each time, but the parts that
  // read every segment of every shard at most once per `overviewCacheMs` (a failed read is not kept).
  // Keys are the bounded `limit` values and one for the alerts.
  const reused = new Map<string, { at: number; value: Promise<unknown> }>();
  const reuse = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const now = clock().getTime();
    const hit = reused.get(key);
    if (hit && now - hit.at < overviewCacheMs) return hit.value as Promise<T>;
    const entry = { at: now, value: load() };
    reused.set(key, entry);
    // A failed read is forgotten, unless a newer one took its place meanwhile.
    entry.value.catch(() => reused.get(key) === entry && reused.delete(key));
    return entry.value as Promise<T>;
  };

  app.get('/overview', async (request, reply) => {
    const { limit, range, rangeNamed } = parseOverviewQuery(request.query, clock());
    // The period's series reads every bucket of the range in every shard: only for a caller that names
    // a range (the dashboard does), not for the plain overview that monitors poll.
    const [counters, counts, worst, alerts, period] = await Promise.all([
      queries.overview(),
      pipeline.counts(),
      reuse(`worst:${limit}`, () => queries.worstSegments(limit)),
      reuse('alerts', () => queries.recentAlerts(10)),
      rangeNamed ? seriesView(queries, 'overall', 'overall', range) : undefined,
    ]);
    return sendCached(
      request,
      reply,
      {
        totals: view(queries, counters),
        channels: counters.channels,
        pipeline: counts,
        worstSegments: worst.map((s) => ({ segmentId: s.segmentId, ...view(queries, s.counters) })),
        recentAlerts: alerts,
        ...(period === undefined ? {} : { period }),
      },
      cacheControl,
    );
  });

  app.get('/segments', async (request, reply) => {
    rejectQuery(request.query);
    const segments = await queries.listSegments();
    segments.sort((a, b) => a.segmentId.localeCompare(b.segmentId));
    return sendCached(
      request,
      reply,
      { segments: segments.map((s) => ({ segmentId: s.segmentId, ...view(queries, s.counters) })) },
      cacheControl,
    );
  });

  app.get<{ Params: { segmentId: string } }>('/segments/:segmentId', async (request, reply) => {
    const segmentId = parseId(request.params.segmentId, 'segmentId');
    const range = parseRange(request.query, clock());
    const allTime = await queries.allTime('segment', segmentId);
    if (allTime === null) throw problems.segmentNotFound(segmentId);
    const body = {
      segmentId,
      allTime: view(queries, allTime),
      ...(await seriesView(queries, 'segment', segmentId, range)),
    };
    return sendCached(request, reply, body, cacheControl);
  });

  app.get<{ Params: { customerId: string } }>('/customers/:customerId', async (request, reply) => {
    const customerId = parseId(request.params.customerId, 'customerId');
    const range = parseRange(request.query, clock());
    const customer = await queries.getCustomer(customerId);
    if (customer === null) throw problems.customerNotFound(customerId);
    const [allTime, latest, series] = await Promise.all([
      queries.allTime('customer', customerId),
      queries.latestFeedback(customerId, 10),
      seriesView(queries, 'customer', customerId, range),
    ]);
    const body = {
      customerId,
      profile:
        customer.profile && !grantedScopes(request).has('read:contact')
          ? withoutContact(customer.profile)
          : customer.profile,
      allTime: view(queries, allTime ?? queries.empty()),
      ...series,
      latestFeedback: latest,
    };
    return sendCached(request, reply, body, cacheControl);
  });

  app.get('/drivers', async (request, reply) => {
    const { segment, range } = parseDriversQuery(request.query, clock());
    if (segment !== undefined) await requireSegment(queries, segment);
    const totals =
      segment === undefined
        ? await rangeTotals(queries, 'overall', 'overall', range)
        : await rangeTotals(queries, 'segment', segment, range);
    const body = {
      segment: segment ?? null,
      from: range.from.toISOString(),
      to: range.to.toISOString(),
      granularity: range.granularity,
      ...queries.drivers(totals),
    };
    return sendCached(request, reply, body, cacheControl);
  });

  app.get('/verbatims', async (request, reply) => {
    const params = parseVerbatimsQuery(request.query);
    if (params.segment !== undefined) await requireSegment(queries, params.segment);
    const page = await queries.verbatims(params);
    const body = {
      segment: params.segment ?? null,
      aspect: params.aspect ?? null,
      label: params.label ?? null,
      language: params.language ?? null,
      items: page.items.map(({ customerKey, ...item }) => ({ ...item, customerId: customerKey })),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    };
    return sendCached(request, reply, body, cacheControl);
  });

  app.get('/alerts', async (request, reply) => {
    const { customer, segment, limit } = parseAlertsQuery(request.query);
    const all = await queries.recentAlerts(
      customer === undefined && segment === undefined ? limit : ALERTS_SCANNED,
    );
    const alerts = all
      .filter((a) => customer === undefined || a.customerKey === customer)
      .filter((a) => segment === undefined || a.segments.includes(segment))
      .slice(0, limit);
    return sendCached(request, reply, { alerts }, cacheControl);
  });

  app.get('/feeds', async (request, reply) => {
    const range = parseFeedRange(request.query, clock());
    const files = await feeds.list(range.from, range.to);
    return sendCached(request, reply, { ...range, files }, 'private, no-store');
  });
};
