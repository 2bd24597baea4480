import type { AspectCounters, RollupCounters } from '@vocflow/contracts';
import {
  type DerivedMetrics,
  derive,
  driversOf,
  emptyAspect,
  emptyCounters,
  type RollupReader,
} from '@vocflow/rollups';
import type { RollupQueries } from './rollup-queries.ts';

/** Sums two sets of counters, aspects and channels key by key. */
export function addCounters(a: RollupCounters, b: RollupCounters): RollupCounters {
  const sum = emptyCounters();
  for (const key of Object.keys(sum) as (keyof RollupCounters)[]) {
    if (key === 'aspects' || key === 'channels') continue;
    sum[key] = a[key] + b[key];
  }
  for (const source of [a, b]) {
    for (const [channel, n] of Object.entries(source.channels))
      sum.channels[channel] = (sum.channels[channel] ?? 0) + n;
    for (const [aspect, counts] of Object.entries(source.aspects)) {
      const entry = sum.aspects[aspect] ?? emptyAspect();
      for (const key of Object.keys(entry) as (keyof AspectCounters)[]) entry[key] += counts[key];
      sum.aspects[aspect] = entry;
    }
  }
  return sum;
}

const round2 = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/** Derived metrics as the API shows them: two decimals (`-9.52`, not `-9.523809523809524`). */
export function roundMetrics(metrics: DerivedMetrics): DerivedMetrics {
  return {
    ...metrics,
    nps: round2(metrics.nps),
    csatPercent: round2(metrics.csatPercent),
    cesMean: round2(metrics.cesMean),
    sentimentMean: round2(metrics.sentimentMean),
  };
}

/** The query API's view of the rollups in Redis, over the rollups package's reader. */
export function createRollupQueries(reader: RollupReader): RollupQueries {
  return {
    async overview() {
      return (await reader.overview()).counters;
    },
    async listSegments() {
      return (await reader.listSegments()).map((view) => ({ segmentId: view.id, counters: view.counters }));
    },
    async allTime(scope, id) {
      const exists = scope === 'segment' ? await reader.segmentExists(id) : await reader.customerExists(id);
      if (!exists) return null;
      return (await reader.getRollup(scope, id)).counters;
    },
    async series(scope, id, granularity, from, to) {
      // The reader's range is inclusive; ours ends before `to`.
      const views = await reader.series(scope, id, granularity, from, new Date(to.getTime() - 1));
      return views.map((view) => ({
        bucketStart: view.bucketStart ?? from.toISOString(),
        counters: view.counters,
      }));
    },
    async getCustomer(customerId) {
      if (!(await reader.customerExists(customerId))) return null;
      const profile = await reader.getCustomer(customerId);
      if (profile === null) return { customerId, profile: null };
      const { schema: _schema, ...fields } = profile;
      return { customerId, profile: fields };
    },
    latestFeedback: (customerId, limit) => reader.latestFeedback(customerId, limit),
    recentAlerts: (limit) => reader.recentAlerts(limit),
    async worstSegments(limit) {
      return (await reader.worstSegments(limit)).map((view) => ({
        segmentId: view.id,
        counters: view.counters,
      }));
    },
    verbatims: (query) => reader.verbatims(query),
    derive: (counters) => roundMetrics(derive(counters)),
    drivers: driversOf,
    empty: emptyCounters,
    add: addCounters,
  };
}
