import { gunzipSync } from 'node:zlib';
import { decode, EnrichedFeedback } from '@vocflow/contracts';
import { type Contribution, contributionOf, type RollupWriter } from '@vocflow/rollups';
import { ARCHIVE_ROOT } from './archive.sink.ts';
import type { ObjectStore } from './object.store.ts';

export interface RebuildProgress {
  readonly objectsDone: number;
  readonly objectsTotal: number;
  readonly events: number;
  readonly applied: number;
  readonly invalid: number;
}

export interface RebuildOptions {
  readonly store: ObjectStore;
  readonly writer: Pick<RollupWriter, 'apply'>;
  /** First and last event day (YYYY-MM-DD, inclusive); absent: every day. */
  readonly from?: string;
  readonly to?: string;
  /** Items per apply call (one script call per shard). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /**
   * A failed apply (Redis unreachable or not ready, a write fenced by the live consumer) is retried up to
   * `attempts` times in all, backing off from `backoffMs` (doubling, at most 5 s). Applying is idempotent
   * and a rejected apply wrote nothing of its shard, so a retry never counts an item twice.
   */
  readonly retry?: { readonly attempts: number; readonly backoffMs: number };
  /** Told about each retry (the CLI prints it). */
  readonly onRetry?: (attempt: number, error: Error) => void;
}

/** Retries of a failed apply unless RebuildOptions.retry says otherwise. */
export const REBUILD_RETRY = { attempts: 8, backoffMs: 250 } as const;

/** Runs `work`, retrying a rejection with exponential backoff; the last error is rethrown. */
export async function withRetry<T>(
  work: () => Promise<T>,
  retry: { readonly attempts: number; readonly backoffMs: number },
  onRetry?: (attempt: number, error: Error) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= retry.attempts) throw error;
      onRetry?.(attempt, error as Error);
      const delay = Math.min(retry.backoffMs * 2 ** (attempt - 1), 5_000);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The archive objects of the days in range, by day then name. */
export async function listArchiveObjects(store: ObjectStore, from?: string, to?: string): Promise<string[]> {
  const keys = await store.list(`${ARCHIVE_ROOT}/dt=`);
  return keys.filter((key) => {
    const day = /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
    if (!day || !key.endsWith('.ndjson.gz')) return false;
    return (from === undefined || day >= from) && (to === undefined || day <= to);
  });
}

/**
 * Recomputes the rollups from the S3 archive through the same idempotent apply path as the live
 * consumer: each (feedbackId, version, revision) is applied at most once and only if newer than what
 * Redis recorded. So it can run while the live pipeline runs, or after Redis was wiped.
 */
export async function rebuildRollups(options: RebuildOptions): Promise<RebuildProgress> {
  const objects = await listArchiveObjects(options.store, options.from, options.to);
  const batchSize = options.batchSize ?? 2_000;
  let progress: RebuildProgress = {
    objectsDone: 0,
    objectsTotal: objects.length,
    events: 0,
    applied: 0,
    invalid: 0,
  };
  options.onProgress?.(progress);
  let pending: Contribution[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    const outcome = await withRetry(
      () => options.writer.apply(batch),
      options.retry ?? REBUILD_RETRY,
      options.onRetry,
    );
    progress = { ...progress, applied: progress.applied + outcome.applied };
    pending = [];
  };
  for (const key of objects) {
    const body = await options.store.get(key);
    let events = 0;
    let invalid = 0;
    if (body) {
      for (const line of gunzipSync(body).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const decoded = decode(EnrichedFeedback, line);
        if (!decoded.ok) {
          invalid += 1;
          continue;
        }
        events += 1;
        pending.push(contributionOf(decoded.value));
        if (pending.length >= batchSize) await flush();
      }
    }
    await flush();
    progress = {
      ...progress,
      objectsDone: progress.objectsDone + 1,
      events: progress.events + events,
      invalid: progress.invalid + invalid,
    };
    options.onProgress?.(progress);
  }
  return progress;
}
