import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@vocflow/clients';
import { RetryableError } from '@vocflow/kafka';
import type { Logger } from '@vocflow/observability';
import {
  bucketExpiresAt,
  FEED_MANIFEST_SCHEMA,
  FEED_SCOPES,
  type FeedDayFile,
  type FeedManifest,
  type FeedScope,
  feedKeyBase,
  type Keyspace,
  MANIFEST_KEY,
  type RollupReader,
} from '@vocflow/rollups';
import { feedRowOf, toNdjson, toParquet } from './feed-rows.ts';
import type { ObjectStore } from './object.store.ts';

/** The layout and manifest are shared with the api's feed listing: they live in @vocflow/rollups. */
export { FEEDS_ROOT, type FeedManifest, MANIFEST_KEY } from '@vocflow/rollups';

/** Days the manifest lists unless told otherwise: as long as day buckets are kept (3 years). */
export const DEFAULT_FEEDS_RETENTION_DAYS = 1_095;

/**
 * The manifest's days, bounded: only days whose day buckets are still kept (the end of the day plus
 * `retentionDays` lies after `now`) and none more than a day ahead, sorted. The files of a dropped day
 * stay in the bucket; the manifest just stops naming them, so it cannot grow without bound.
 */
export function boundedManifestDays<T>(
  days: Readonly<Record<string, T>>,
  now: number,
  retentionDays: number,
): Record<string, T> {
  const newest = new Date(now + 86_400_000).toISOString().slice(0, 10);
  const retention = { hourRetentionDays: retentionDays, dayRetentionDays: retentionDays };
  return Object.fromEntries(
    Object.entries(days)
      .filter(
        ([d]) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d <= newest && bucketExpiresAt('day', d, retention) > now,
      )
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** The feeds lock expired or was taken while a run was writing: the run stops before its next write. */
export class FeedsLockLostError extends Error {
  override readonly name = 'FeedsLockLostError';
}

// Renews the lock only while this owner holds it; 0 when it was lost.
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Keeps a lock alive while a run lasts: renewed every third of its lifetime. `check()` fails with
 * FeedsLockLostError once a renewal found the lock gone or someone else's, and asks Redis itself before
 * answering, so a run that lost its lock stops before its next write. A renewal that fails for a Redis
 * error is retried at the next tick; the lock lasts `lockMs` from the last success.
 */
export function holdLock(redis: RedisClient, key: string, owner: string, lockMs: number) {
  let lost = false;
  const renew = async () => {
    try {
      if ((await redis.eval(RENEW, 1, key, owner, String(lockMs))) === 0) lost = true;
    } catch {
      // Redis unreachable for a moment: the next tick tries again.
    }
  };
  const timer = setInterval(() => void renew(), Math.max(10, Math.floor(lockMs / 3)));
  timer.unref();
  return {
    async check(): Promise<void> {
      if (!lost && (await redis.get(key)) !== owner) lost = true;
      if (lost)
        throw new FeedsLockLostError(`the feeds lock ${key} was lost; stopping before the next write`);
    },
    async release(): Promise<void> {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, owner).catch(() => undefined);
    },
  };
}

export interface FeedsWriter {
  /** Writes every day changed since the last run; returns the days written. */
  runOnce(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The marketing feeds: per day and scope (segment, customer, overall) the day rollups as NDJSON and
 * Parquet under `feeds/rollups/<scope>/dt=YYYY-MM-DD/`, and `feeds/rollups/manifest.json` naming the
 * latest files. Days are taken from the dirty sets the apply script fills, so a day is rewritten
 * whenever late feedback changes it. One instance at a time writes (a Redis lock).
 *
 * Long as a whole, in named parts (takeDirty, doneWriting, writeDay, runOnce) that share the lock
 * owner and the run in progress.
 */
export function createFeedsWriter(deps: {
  redis: RedisClient;
  keys: Keyspace;
  reader: Pick<RollupReader, 'dayRollups'>;
  store: ObjectStore;
  intervalMs: number;
  /** Days the manifest keeps listing (ROLLUP_DAY_RETENTION_DAYS). Default 1,095. */
  retentionDays?: number;
  logger: Logger;
  /** Start the schedule (false: only runOnce). */
  schedule?: boolean;
  /** How long the lock lives without renewal (a crashed writer's lock frees itself). Default max(30 s, 3 × interval). */
  lockMs?: number;
}): FeedsWriter {
  const owner = randomUUID();
  const lockMs = deps.lockMs ?? Math.max(30_000, deps.intervalMs * 3);
  let running: Promise<string[]> | undefined;

  /**
   * Moves each shard's dirty days into a `writing` set (atomically, same hash slot) and returns them
   * with any left over by a run that crashed. The `writing` sets are cleared only after the run wrote
   * the days, so a crash never loses a day; a day marked dirty meanwhile stays for the next run.
   */
  const takeDirty = async (): Promise<string[]> => {
    const days = new Set<string>();
    for (let shard = 0; shard < deps.keys.shards; shard++) {
      const dirty = deps.keys.dirtyDays(shard);
      const writing = deps.keys.dirtyDaysWriting(shard);
      const result = await deps.redis
        .multi()
        .sunionstore(writing, writing, dirty)
        .del(dirty)
        .smembers(writing)
        .exec();
      const members = result?.[2]?.[1] as string[] | undefined;
      for (const d of members ?? []) days.add(d);
    }
    return [...days].sort();
  };
  const doneWriting = async () => {
    for (let shard = 0; shard < deps.keys.shards; shard++)
      await deps.redis.del(deps.keys.dirtyDaysWriting(shard));
  };

  const writeDay = async (day: string): Promise<FeedManifest['days'][string]> => {
    const views = await deps.reader.dayRollups(day);
    const files = {} as Record<FeedScope, FeedDayFile>;
    for (const scope of FEED_SCOPES) {
      const rows = views.filter((v) => v.scope === scope).map((v) => feedRowOf(day, v));
      const base = feedKeyBase(scope, day);
      await deps.store.put(`${base}.ndjson`, toNdjson(rows), 'application/x-ndjson');
      await deps.store.put(`${base}.parquet`, toParquet(rows), 'application/vnd.apache.parquet');
      files[scope] = { ndjson: `${base}.ndjson`, parquet: `${base}.parquet`, rows: rows.length };
    }
    return { writtenAt: new Date().toISOString(), ...files };
  };

  const runOnce = async (): Promise<string[]> => {
    const locked = await deps.redis.set(deps.keys.feedsLock(), owner, 'PX', lockMs, 'NX');
    if (locked !== 'OK') return [];
    const lock = holdLock(deps.redis, deps.keys.feedsLock(), owner, lockMs);
    try {
      const days = await takeDirty();
      if (days.length === 0) return [];
      const raw = await deps.store.get(MANIFEST_KEY);
      const manifest: FeedManifest = raw
        ? (JSON.parse(Buffer.from(raw).toString('utf8')) as FeedManifest)
        : { schema: FEED_MANIFEST_SCHEMA, updatedAt: '', days: {} };
      const entries = { ...manifest.days };
      for (const day of days) {
        await lock.check();
        entries[day] = await writeDay(day);
      }
      const sorted = boundedManifestDays(
        entries,
        Date.now(),
        deps.retentionDays ?? DEFAULT_FEEDS_RETENTION_DAYS,
      );
      const next: FeedManifest = {
        schema: FEED_MANIFEST_SCHEMA,
        updatedAt: new Date().toISOString(),
        days: sorted,
      };
      await lock.check();
      await deps.store.put(MANIFEST_KEY, JSON.stringify(next, null, 2), 'application/json');
      // Only the holder clears the `writing` sets: a run that lost its lock leaves them to the next one.
      await lock.check();
      await doneWriting();
      deps.logger.info({ days: days.length }, 'feeds written');
      return days;
    } catch (error) {
      // The days stay in the `writing` sets: the next run writes them again.
      if (error instanceof FeedsLockLostError) throw error;
      throw new RetryableError('s3', `feeds not written: ${(error as Error).message}`, { cause: error });
    } finally {
      await lock.release();
    }
  };

  const run = () => {
    running ??= runOnce().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer =
    deps.schedule === false
      ? undefined
      : setInterval(() => {
          run().catch((error) => deps.logger.warn({ err: error }, 'feeds run failed; will retry'));
        }, deps.intervalMs);
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    runOnce: run,
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        await running?.catch(() => undefined);
      })();
      return closing;
    },
  };
}
