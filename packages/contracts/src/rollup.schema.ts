import { z } from 'zod';
import { Instant } from './common.schema.ts';

/** What a rollup keeps per aspect. */
export const AspectCounters = z
  .object({
    count: z.number(),
    sum: z.number(),
    negative: z.number().default(0),
    neutral: z.number().default(0),
    positive: z.number().default(0),
    npsPromoters: z.number().default(0),
    npsPassives: z.number().default(0),
    npsDetractors: z.number().default(0),
  })
  .strict();
export type AspectCounters = z.infer<typeof AspectCounters>;

/** The counters one rollup keeps (README.md, "Metrics, defined exactly"). Derived values are computed from these. */
export const RollupCounters = z
  .object({
    count: z.number(),
    npsPromoters: z.number(),
    npsPassives: z.number(),
    npsDetractors: z.number(),
    csatSatisfied: z.number(),
    csatAnswered: z.number(),
    cesSum: z.number(),
    cesCount: z.number(),
    sentimentSum: z.number(),
    sentimentCount: z.number(),
    sentimentNegative: z.number(),
    sentimentNeutral: z.number(),
    sentimentPositive: z.number(),
    /**
     * Per aspect: how many items mentioned it, the sum of their aspect scores, the aspect's labels,
     * and the NPS classes of the items that mention it (what drivers need). The last six default to 0
     * so records written before they existed still decode.
     */
    aspects: z.record(z.string(), AspectCounters),
    /** Items per channel. */
    channels: z.record(z.string(), z.number()),
  })
  .strict();
export type RollupCounters = z.infer<typeof RollupCounters>;

export const RollupScope = z.enum(['overall', 'segment', 'customer']);
export type RollupScope = z.infer<typeof RollupScope>;

export const Granularity = z.enum(['hour', 'day', 'all']);
export type Granularity = z.infer<typeof Granularity>;

/** `rollups.v1`, keyed by `${scope}:${id}`: the new state of a rollup bucket after a change. */
export const RollupChange = z
  .object({
    schema: z.literal('rollups.v1'),
    scope: RollupScope,
    id: z.string(),
    granularity: Granularity,
    /** Bucket start (UTC) for hour and day; absent for all time. */
    bucketStart: Instant.optional(),
    counters: RollupCounters,
    updatedAt: Instant,
  })
  .strict();
export type RollupChange = z.infer<typeof RollupChange>;
