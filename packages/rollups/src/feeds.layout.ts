/**
 * The marketing feeds' layout in the object store, shared by the writer (aggregation) and the reader
 * (the api's feed listing): per day and scope the day rollups under
 * `feeds/rollups/<scope>/dt=YYYY-MM-DD/rollups.{ndjson,parquet}`, and `feeds/rollups/manifest.json`
 * naming the latest files of each day. Keys are relative to the deployment's S3_PREFIX.
 */

export const FEEDS_ROOT = 'feeds/rollups';
export const MANIFEST_KEY = `${FEEDS_ROOT}/manifest.json`;
export const FEED_MANIFEST_SCHEMA = 'vocflow.feeds.manifest.v1';

export const FEED_SCOPES = ['segment', 'customer', 'overall'] as const;
export type FeedScope = (typeof FEED_SCOPES)[number];

/** The key of a day's feed of one scope, without its format's extension. */
export function feedKeyBase(scope: FeedScope, day: string): string {
  return `${FEEDS_ROOT}/${scope}/dt=${day}/rollups`;
}

const DT = /\/dt=(\d{4}-\d{2}-\d{2})\//;

/** The day a feed key belongs to (its `dt=` partition), or null for undated files (the manifest). */
export function feedDayOf(key: string): string | null {
  return DT.exec(key)?.[1] ?? null;
}

/** The files written for one day and scope. */
export interface FeedDayFile {
  readonly ndjson: string;
  readonly parquet: string;
  readonly rows: number;
}

export interface FeedManifest {
  readonly schema: typeof FEED_MANIFEST_SCHEMA;
  readonly updatedAt: string;
  /** Per day, the latest files per scope. */
  readonly days: Record<string, { writtenAt: string } & Record<FeedScope, FeedDayFile>>;
}
