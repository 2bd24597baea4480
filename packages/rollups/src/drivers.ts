import type { AspectCounters, RollupCounters } from '@vocflow/contracts';

/** What one aspect does to a scope's NPS (see `driversOf`). */
export interface Driver {
  readonly aspect: string;
  /** Items that mention the aspect. */
  readonly mentions: number;
  /** mentions / items whose text was scored for sentiment (the items that could mention it), 0…1. */
  readonly share: number;
  /** Mean aspect sentiment score (−1…1) of the mentions. */
  readonly sentimentMean: number;
  /** The aspect's own label in each mention. */
  readonly labels: { readonly negative: number; readonly neutral: number; readonly positive: number };
  /** NPS classes of the mentioning items that answered the NPS question. */
  readonly npsAnswers: { readonly promoters: number; readonly passives: number; readonly detractors: number };
  /** NPS of the mentioning items; null when none of them answered the NPS question. */
  readonly nps: number | null;
  /** nps − the scope's NPS; null when either is null. */
  readonly npsGap: number | null;
  /** share × npsGap: NPS points the aspect moves the scope by; null with the gap. */
  readonly impact: number | null;
}

export interface Drivers {
  /** Items in the scope. */
  readonly items: number;
  /** Items whose text was scored for sentiment (the share's denominator). */
  readonly analysed: number;
  /** The scope's NPS, or null when nobody answered. */
  readonly nps: number | null;
  readonly drivers: readonly Driver[];
}

const npsOf = (promoters: number, passives: number, detractors: number): number | null => {
  const answered = promoters + passives + detractors;
  return answered > 0 ? ((promoters - detractors) / answered) * 100 : null;
};

function driverOf(aspect: string, a: AspectCounters, analysed: number, scopeNps: number | null): Driver {
  const nps = npsOf(a.npsPromoters, a.npsPassives, a.npsDetractors);
  const share = analysed > 0 ? a.count / analysed : 0;
  const npsGap = nps === null || scopeNps === null ? null : nps - scopeNps;
  return {
    aspect,
    mentions: a.count,
    share,
    sentimentMean: a.count > 0 ? a.sum / a.count : 0,
    labels: { negative: a.negative, neutral: a.neutral, positive: a.positive },
    npsAnswers: { promoters: a.npsPromoters, passives: a.npsPassives, detractors: a.npsDetractors },
    nps,
    npsGap,
    impact: npsGap === null ? null : share * npsGap,
  };
}

/**
 * Ranks the aspects of a scope's counters by impact = share × NPS gap, the most negative first (the
 * themes that pull NPS down lead); aspects without a gap come last; ties by mentions, then name.
 */
export function driversOf(counters: RollupCounters): Drivers {
  const analysed = counters.sentimentCount;
  const nps = npsOf(counters.npsPromoters, counters.npsPassives, counters.npsDetractors);
  const drivers = Object.entries(counters.aspects)
    .filter(([, a]) => a.count > 0)
    .map(([aspect, a]) => driverOf(aspect, a, analysed, nps))
    .sort((x, y) => {
      if (x.impact !== y.impact) {
        if (x.impact === null) return 1;
        if (y.impact === null) return -1;
        return x.impact - y.impact;
      }
      return y.mentions - x.mentions || x.aspect.localeCompare(y.aspect);
    });
  return { items: counters.count, analysed, nps, drivers };
}
