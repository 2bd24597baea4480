import { createS3ObjectStore, loadConfig, type RebuildProgress, rebuildRollups } from '@vocflow/aggregation';
import { createRedis, createS3 } from '@vocflow/clients';
import { createRollupWriter } from '@vocflow/rollups';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string): string {
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new Error(`expected YYYY-MM-DD, got "${value}"`);
  return value;
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
    .option('--from <day>', 'first event day, YYYY-MM-DD (UTC)', day)
    .option('--to <day>', 'last event day, YYYY-MM-DD (UTC)', day)
    .option('--no-progress', 'no progress bar (logs a summary only)')
    .action(async (options: { from?: string; to?: string; progress: boolean }) => {
      const config = loadConfig(process.env);
      const redis = createRedis(config.redis, { name: 'vocflow-rebuild' });
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
        const result = await rebuildRollups({
          store: createS3ObjectStore(s3, { bucket: config.s3.bucket, prefix: config.s3.prefix }),
          writer: createRollupWriter(redis, {
            keyPrefix: config.redis.keyPrefix,
            shards: config.rollups.shards,
            latestPerCustomer: config.rollups.latestPerCustomer,
            verbatimsPerScope: config.rollups.verbatimsPerScope,
            hourRetentionDays: config.rollups.hourRetentionDays,
            dayRetentionDays: config.rollups.dayRetentionDays,
          }),
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
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
