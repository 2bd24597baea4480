import type { RollupView } from '@vocflow/rollups';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** One row of a marketing feed: a rollup's day bucket (see docs/aggregation.md for the columns). */
export interface FeedRow {
  readonly day: string;
  readonly scope: string;
  readonly id: string;
  readonly count: number;
  readonly nps_promoters: number;
  readonly nps_passives: number;
  readonly nps_detractors: number;
  readonly nps: number | null;
  readonly csat_satisfied: number;
  readonly csat_answered: number;
  readonly csat_percent: number | null;
  readonly ces_sum: number;
  readonly ces_count: number;
  readonly ces_mean: number | null;
  readonly sentiment_sum: number;
  readonly sentiment_count: number;
  readonly sentiment_mean: number | null;
  readonly sentiment_negative: number;
  readonly sentiment_neutral: number;
  readonly sentiment_positive: number;
  /** JSON object channel → count. */
  readonly channels: string;
  /** JSON object aspect → { count, sum }. */
  readonly aspects: string;
  readonly updated_at: string | null;
}

const INT_COLUMNS = [
  'count',
  'nps_promoters',
  'nps_passives',
  'nps_detractors',
  'csat_satisfied',
  'csat_answered',
  'ces_count',
  'sentiment_count',
  'sentiment_negative',
  'sentiment_neutral',
  'sentiment_positive',
] as const;
const DOUBLE_COLUMNS = [
  'nps',
  'csat_percent',
  'ces_sum',
  'ces_mean',
  'sentiment_sum',
  'sentiment_mean',
] as const;
const STRING_COLUMNS = ['day', 'scope', 'id', 'channels', 'aspects', 'updated_at'] as const;

export function feedRowOf(day: string, view: RollupView): FeedRow {
  const c = view.counters;
  const sorted = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
  return {
    day,
    scope: view.scope,
    id: view.id,
    count: c.count,
    nps_promoters: c.npsPromoters,
    nps_passives: c.npsPassives,
    nps_detractors: c.npsDetractors,
    nps: view.derived.nps,
    csat_satisfied: c.csatSatisfied,
    csat_answered: c.csatAnswered,
    csat_percent: view.derived.csatPercent,
    ces_sum: c.cesSum,
    ces_count: c.cesCount,
    ces_mean: view.derived.cesMean,
    sentiment_sum: c.sentimentSum,
    sentiment_count: c.sentimentCount,
    sentiment_mean: view.derived.sentimentMean,
    sentiment_negative: c.sentimentNegative,
    sentiment_neutral: c.sentimentNeutral,
    sentiment_positive: c.sentimentPositive,
    channels: JSON.stringify(sorted(c.channels)),
    aspects: JSON.stringify(sorted(c.aspects)),
    updated_at: view.updatedAt,
  };
}

export function toNdjson(rows: readonly FeedRow[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** Parquet with typed columns: counts INT64, sums and derived values DOUBLE (null when not answered). */
export function toParquet(rows: readonly FeedRow[]): Uint8Array {
  const columnData = [
    ...STRING_COLUMNS.map((name) => ({ name, data: rows.map((r) => r[name]), type: 'STRING' as const })),
    ...INT_COLUMNS.map((name) => ({ name, data: rows.map((r) => BigInt(r[name])), type: 'INT64' as const })),
    ...DOUBLE_COLUMNS.map((name) => ({ name, data: rows.map((r) => r[name]), type: 'DOUBLE' as const })),
  ];
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
