import type { FeedbackAlert, RollupCounters } from '@vocflow/contracts';
import type { DerivedMetrics, Drivers, VerbatimPage, VerbatimQuery } from '@vocflow/rollups';

export type { DerivedMetrics, Drivers, VerbatimPage, VerbatimQuery } from '@vocflow/rollups';

/**
 * What the query API reads. `createRollupQueries` (rollup-queries.adapter.ts) satisfies it with the
 * rollup reader over Redis; unit tests satisfy it with an in-memory fake.
 */
export type SeriesGranularity = 'hour' | 'day';
export type QueryScope = 'overall' | 'segment' | 'customer';

export interface Bucket {
  /** Bucket start, UTC ISO-8601. */
  readonly bucketStart: string;
  readonly counters: RollupCounters;
}

export interface SegmentCounters {
  readonly segmentId: string;
  readonly counters: RollupCounters;
}

export interface CustomerRecord {
  readonly customerId: string;
  /** The CRM profile fields the rollups keep (no contact details), or null when none arrived yet. */
  readonly profile: Readonly<Record<string, unknown>> | null;
}

export interface RollupQueries {
  /** All-time counters over all feedback. */
  overview(): Promise<RollupCounters>;
  /** Every segment with its all-time counters. */
  listSegments(): Promise<SegmentCounters[]>;
  /** All-time counters of one rollup, or null when it has none. */
  allTime(scope: Exclude<QueryScope, 'overall'>, id: string): Promise<RollupCounters | null>;
  /** The non-empty buckets whose start lies in [from, to). */
  series(
    scope: QueryScope,
    id: string,
    granularity: SeriesGranularity,
    from: Date,
    to: Date,
  ): Promise<Bucket[]>;
  /** The customer, or null when neither a profile nor any feedback is known. */
  getCustomer(customerId: string): Promise<CustomerRecord | null>;
  /** The customer's most recent feedback items (already redacted), newest first. */
  latestFeedback(customerId: string, limit: number): Promise<unknown[]>;
  recentAlerts(limit: number): Promise<FeedbackAlert[]>;
  /** Segments with the lowest NPS (then CSAT), with enough answers to mean something. */
  worstSegments(limit: number): Promise<SegmentCounters[]>;
  /** A page of a scope's newest comments (redacted), newest first. */
  verbatims(query: VerbatimQuery): Promise<VerbatimPage>;
  /** Derived metrics of a set of counters (the rollups package's metric math). */
  derive(counters: RollupCounters): DerivedMetrics;
  /** The aspects of a set of counters ranked by impact on NPS (the rollups package's driver math). */
  drivers(counters: RollupCounters): Drivers;
  /** Counters with nothing counted. */
  empty(): RollupCounters;
  /** The sum of two sets of counters. */
  add(a: RollupCounters, b: RollupCounters): RollupCounters;
}

/** Kafka-side numbers for the dashboard: records accepted by ingest and records dead-lettered. */
export interface PipelineCounts {
  readonly ingested: number;
  readonly dlq: number;
}

export interface PipelineCounter {
  counts(): Promise<PipelineCounts | null>;
}

export interface FeedFile {
  readonly key: string;
  /** `YYYY-MM-DD` from the `dt=` partition, or null for files outside one (the manifest). */
  readonly date: string | null;
  readonly format: string;
  readonly size: number;
  readonly lastModified: string | null;
  readonly url: string;
  readonly expiresAt: string;
}

export interface FeedLister {
  list(from: string, to: string): Promise<FeedFile[]>;
}
