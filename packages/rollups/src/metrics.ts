import type { AspectCounters, RollupCounters } from '@vocflow/contracts';

/**
 * Sums (CES, sentiment, aspect scores) are kept in Redis as integers in millionths, so adding and
 * subtracting contributions is exact and independent of order: a rebuild reproduces the live values.
 */
export const SUM_SCALE = 1_000_000;

/** Values computed from counters exactly as README.md ("Metrics, defined exactly") defines them; null when nothing was answered. */
export interface DerivedMetrics {
  /** %promoters − %detractors, −100…100. */
  readonly nps: number | null;
  /** satisfied / answered × 100. */
  readonly csatPercent: number | null;
  /** Mean CES answer (1–7). */
  readonly cesMean: number | null;
  /** Mean sentiment score (−1…1). */
  readonly sentimentMean: number | null;
}

export function emptyCounters(): RollupCounters {
  return {
    count: 0,
    npsPromoters: 0,
    npsPassives: 0,
    npsDetractors: 0,
    csatSatisfied: 0,
    csatAnswered: 0,
    cesSum: 0,
    cesCount: 0,
    sentimentSum: 0,
    sentimentCount: 0,
    sentimentNegative: 0,
    sentimentNeutral: 0,
    sentimentPositive: 0,
    aspects: {},
    channels: {},
  };
}

export function derive(counters: RollupCounters): DerivedMetrics {
  const npsAnswered = counters.npsPromoters + counters.npsPassives + counters.npsDetractors;
  return {
    nps: npsAnswered > 0 ? ((counters.npsPromoters - counters.npsDetractors) / npsAnswered) * 100 : null,
    csatPercent: counters.csatAnswered > 0 ? (counters.csatSatisfied / counters.csatAnswered) * 100 : null,
    cesMean: counters.cesCount > 0 ? counters.cesSum / counters.cesCount : null,
    sentimentMean: counters.sentimentCount > 0 ? counters.sentimentSum / counters.sentimentCount : null,
  };
}

/** Short Redis hash field names of the scalar counters. */
export const FIELDS = {
  count: 'n',
  npsPromoters: 'np',
  npsPassives: 'npa',
  npsDetractors: 'nd',
  csatSatisfied: 'cs',
  csatAnswered: 'ca',
  cesSum: 'es',
  cesCount: 'ec',
  sentimentSum: 'ss',
  sentimentCount: 'sc',
  sentimentNegative: 'sn',
  sentimentNeutral: 'su',
  sentimentPositive: 'sp',
} as const satisfies Record<Exclude<keyof RollupCounters, 'aspects' | 'channels'>, string>;

type ScalarCounter = keyof typeof FIELDS;
const SCALED: ReadonlySet<ScalarCounter> = new Set(['cesSum', 'sentimentSum']);
const BY_FIELD = new Map<string, ScalarCounter>(
  (Object.entries(FIELDS) as [ScalarCounter, string][]).map(([name, field]) => [field, name]),
);

/**
 * Per-aspect counters: `a:<aspect>:<suffix>`. The suffix is the last `:`-part, so an aspect name may
 * itself hold a colon.
 */
export const ASPECT_FIELDS = {
  count: 'n',
  sum: 's',
  negative: 'ln',
  neutral: 'lu',
  positive: 'lp',
  npsPromoters: 'np',
  npsPassives: 'npa',
  npsDetractors: 'nd',
} as const satisfies Record<keyof AspectCounters, string>;
type AspectCounter = keyof typeof ASPECT_FIELDS;
const BY_ASPECT_SUFFIX = new Map<string, AspectCounter>(
  (Object.entries(ASPECT_FIELDS) as [AspectCounter, string][]).map(([name, suffix]) => [suffix, name]),
);

export const aspectField = (aspect: string, counter: AspectCounter) =>
  `a:${aspect}:${ASPECT_FIELDS[counter]}`;
/** Hash field of an aspect's count (`a:price:n`) and score sum (`a:price:s`), and a channel (`ch:email`). */
export const aspectCountField = (aspect: string) => aspectField(aspect, 'count');
export const aspectSumField = (aspect: string) => aspectField(aspect, 'sum');

export function emptyAspect(): AspectCounters {
  return {
    count: 0,
    sum: 0,
    negative: 0,
    neutral: 0,
    positive: 0,
    npsPromoters: 0,
    npsPassives: 0,
    npsDetractors: 0,
  };
}
export const channelField = (channel: string) => `ch:${channel}`;
/** Epoch milliseconds of the last change to the rollup. Not a counter: never summed into totals. */
export const UPDATED_FIELD = 'u';

/**
 * Counter fields summed over the shards of a rollup (integers, so the sum is exact). Each shard's part
 * of a bucket is stored as one Redis string: the JSON object of its non-zero counters plus `u`.
 */
export type RawFields = Record<string, number>;

/** Adds one shard's part of a rollup (a decoded bucket value) into `into`; `u` keeps the latest time instead. */
export function addPart(into: RawFields, hash: Readonly<Record<string, string | number>>): RawFields {
  for (const [field, raw] of Object.entries(hash)) {
    const value = Number(raw);
    if (!Number.isFinite(value)) continue;
    into[field] = field === UPDATED_FIELD ? Math.max(into[field] ?? 0, value) : (into[field] ?? 0) + value;
  }
  return into;
}

/** Turns summed hash fields into the contract's counters (sums back from millionths). */
export function toCounters(fields: Readonly<RawFields>): RollupCounters {
  const counters = emptyCounters();
  for (const [field, value] of Object.entries(fields)) {
    if (field === UPDATED_FIELD) continue;
    const scalar = BY_FIELD.get(field);
    if (scalar) {
      counters[scalar] = SCALED.has(scalar) ? value / SUM_SCALE : value;
    } else if (field.startsWith('ch:')) {
      counters.channels[field.slice(3)] = value;
    } else if (field.startsWith('a:')) {
      const at = field.lastIndexOf(':');
      const counter = BY_ASPECT_SUFFIX.get(field.slice(at + 1));
      if (at <= 2 || !counter) continue;
      const aspect = field.slice(2, at);
      const entry = counters.aspects[aspect] ?? emptyAspect();
      counters.aspects[aspect] = entry;
      entry[counter] = counter === 'sum' ? value / SUM_SCALE : value;
    }
  }
  return counters;
}

/** Epoch milliseconds of the latest change in summed fields, or null. */
export function updatedAt(fields: Readonly<RawFields>): Date | null {
  const ms = fields[UPDATED_FIELD];
  return ms ? new Date(ms) : null;
}
