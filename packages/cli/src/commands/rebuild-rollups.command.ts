// This command imports the aggregation service on purpose: a rebuild replays aggregation's own S3
// archive (its layout, its object store, its configuration and its validation) through the rollup
// writer, exactly as the running service would. Moving the archive format into a package is what
// would let the CLI drop the dependency; it waits until the archive's erasure rewrite settles.
import {
  createS3ObjectStore,
  loadConfig,
  REBUILD_RETRY,
  type RebuildProgress,
  rebuildRollups,
} from '@vocflow/aggregation';
import { createRedis, createS3, type RedisClient } from '@vocflow/clients';
import { ConfigError, redactUrl } from '@vocflow/config';
import { createRollupWriter } from '@vocflow/rollups';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { arg, day, positiveNumber, UsageError } from '../options.ts';

interface RebuildCommandOptions {
  readonly from?: string;
  readonly to?: string;
  readonly progress: boolean;
  /** Seconds to wait for Redis to accept commands before giving up. */
  readonly redisTimeout: number;
}

/** How long rebuild-rollups waits for Redis to be ready unless --redis-timeout says otherwise. */
export const REDIS_READY_SECONDS = 30;

/** Resolves once the client is ready for commands (it has no offline queue), or rejects after `seconds`. */
export function redisReady(redis: RedisClient, seconds: number, url: string): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis at ${redactUrl(url)} was not ready within ${seconds} s (--redis-timeout)`));
    }, seconds * 1000);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}

/** Every problem with the options and the environment, before anything is read or written. */
function checkUsage(options: RebuildCommandOptions) {
  const problems: string[] = [];
  if (options.from && options.to && options.from > options.to)
    problems.push(`--from ${options.from} is after --to ${options.to}: nothing would be rebuilt`);
  let config: ReturnType<typeof loadConfig> | undefined;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((p) => `${p.variable}: ${p.message}`));
  }
  if (problems.length > 0 || !config) throw new UsageError(problems);
  return config;
}

/**
 * `vocflow rebuild-rollups [--from YYYY-MM-DD] [--to YYYY-MM-DD]`: recomputes the Redis rollups from the
 * S3 archive through the idempotent apply path. Safe while the pipeline runs and after Redis was wiped.
 * Configuration: the aggregation service's environment (REDIS_*, S3_*, ROLLUP_SHARDS).
 */
export function registerRebuildRollups(program: Command): void {
  program
    .command('rebuild-rollups')
    .description(
      'recompute the Redis rollups exactly from the S3 archive (optionally only event days in a range)',
    )
    .option('--from <day>', 'first event day, YYYY-MM-DD (UTC)', arg(day))
    .option('--to <day>', 'last event day, YYYY-MM-DD (UTC), not before --from', arg(day))
    .option(
      '--redis-timeout <seconds>',
      'how long to wait for Redis to be ready before giving up',
      arg(positiveNumber(3600)),
      REDIS_READY_SECONDS,
    )
    .option('--no-progress', 'no progress bar (logs a summary only)')
    .addHelpText(
      'after',
      `\nA batch Redis refuses (not reachable, or fenced by the live consumer) is retried up to ${REBUILD_RETRY.attempts} times with backoff; applying is idempotent, so nothing is counted twice.`,
    )
    .action(async (options: RebuildCommandOptions) => {
      const config = checkUsage(options);
      const redis = createRedis(config.redis, { name: 'vocflow-rebuild' });
      // Connection errors surface as the readiness timeout or a retried batch, never as an unhandled event.
      redis.on('error', () => undefined);
      const s3 = createS3(config.s3);
      const bar =
        options.progress && process.stderr.isTTY
          ? new SingleBar({
              format: 'rebuild [{bar}] {value}/{total} objects | {events} events | {applied} applied',
              stream: process.stderr,
            })
          : null;
      let started = false;
      try {
        await redisReady(redis, options.redisTimeout, config.redis.url);
        const result = await rebuildRollups({
          store: createS3ObjectStore(s3, { bucket: config.s3.bucket, prefix: config.s3.prefix }),
          writer: createRollupWriter(redis, {
            keyPrefix: config.redis.keyPrefix,
            shards: config.rollups.shards,
            latestPerCustomer: config.rollups.latestPerCustomer,
            hourRetentionDays: config.rollups.hourRetentionDays,
            dayRetentionDays: config.rollups.dayRetentionDays,
          }),
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
          onRetry: (attempt, error) =>
            process.stderr.write(
              `\nrebuild: a batch failed (${redactUrl(error.message)}); retry ${attempt}/${REBUILD_RETRY.attempts - 1}\n`,
            ),
          onProgress: (p: RebuildProgress) => {
            if (!bar) return;
            if (!started) {
              bar.start(p.objectsTotal, p.objectsDone, { events: p.events, applied: p.applied });
              started = true;
            } else bar.update(p.objectsDone, { events: p.events, applied: p.applied });
          },
        });
        bar?.stop();
        process.stdout.write(
          `rebuilt from ${result.objectsTotal} archive objects: ${result.events} events, ${result.applied} versions applied, ${result.invalid} invalid lines skipped\n`,
        );
      } finally {
        bar?.stop();
        await redis.quit().catch(() => redis.disconnect());
        s3.destroy();
      }
    });
}
