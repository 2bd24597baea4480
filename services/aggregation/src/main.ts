import { createRedis, createS3 } from '@vocflow/clients';
import { redact } from '@vocflow/config';
import { erasureKeys, erasureMarkerHash, topicNames } from '@vocflow/contracts';
import {
  createKafka,
  createProducer,
  createRedisAttemptJournal,
  ensureTopics,
  kafkaReadiness,
  RetryableError,
} from '@vocflow/kafka';
import {
  createLogger,
  createRegistry,
  createShutdown,
  type Logger,
  type Registry,
  runService,
  startOpsServer,
} from '@vocflow/observability';
import { createRollupReader, createRollupWriter, eraseCustomerRollups } from '@vocflow/rollups';
import { createAggregationConsumer } from './aggregation.consumer.ts';
import { createArchiveConsumer } from './archive.consumer.ts';
import { ARCHIVE_ROOT, createArchiveSink } from './archive.sink.ts';
import { type ArchiveErasureProgress, customerMatcher, eraseFromArchive } from './archive-erasure.ts';
import { loadConfig } from './config.ts';
import { createErasureWorker, type ErasureWorker } from './erasure.worker.ts';
import { createFeedsWriter, type FeedsWriter } from './feeds.writer.ts';
import { createS3ObjectStore } from './object.store.ts';
import { createRollupChangesPublisher } from './rollup-changes.publisher.ts';
import { createRollupsSink, type SinkStats } from './rollups.sink.ts';

export interface AggregationHandle {
  /** Idempotent, graceful: stops intake, finishes and commits the batches in flight, flushes, closes. */
  close(): Promise<void>;
  readonly opsPort: number;
  /** Events and Redis commands of the rollup sink (commands per event = redisCommands / events). */
  readonly stats: SinkStats;
  /** Writes the feeds now (tests, the CLI); null when feeds are disabled. */
  readonly feeds: FeedsWriter | null;
  isReady(): boolean;
}

export interface AggregationOverrides {
  readonly logger?: Logger;
  readonly registry?: Registry;
  /** Create missing topics at start (default true). */
  readonly ensureTopics?: boolean;
}

export async function start(
  env: Record<string, string | undefined>,
  overrides: AggregationOverrides = {},
): Promise<AggregationHandle> {
  const config = loadConfig(env);
  const logger = overrides.logger ?? createLogger({ service: 'aggregation', level: config.logLevel });
  logger.info({ config: redact(config) }, 'starting');
  const registry = overrides.registry ?? createRegistry('aggregation');
  const shutdown = createShutdown(logger);
  const topics = topicNames(config.kafka.topicPrefix);

  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId ?? 'vocflow-aggregation',
    logger,
  });
  if (overrides.ensureTopics !== false)
    await ensureTopics(kafka, { prefix: config.kafka.topicPrefix, policy: config.topics });
  const producer = createProducer(kafka, { logger, registry });
  await producer.connect();
  const redis = createRedis(config.redis, { name: 'vocflow-aggregation' });
  let redisDown = false;
  redis.on('error', (error: Error) => {
    if (!redisDown) logger.warn({ err: error }, 'redis unavailable; batches pause and retry');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) logger.info('redis available again');
    redisDown = false;
  });
  const s3 = createS3(config.s3);
  const store = createS3ObjectStore(s3, { bucket: config.s3.bucket, prefix: config.s3.prefix });
  const keyspace = { keyPrefix: config.redis.keyPrefix, shards: config.rollups.shards };
  const writer = createRollupWriter(redis, {
    ...keyspace,
    latestPerCustomer: config.rollups.latestPerCustomer,
    alertsKept: config.rollups.alertsKept,
    verbatimsPerScope: config.rollups.verbatimsPerScope,
    hourRetentionDays: config.rollups.hourRetentionDays,
    dayRetentionDays: config.rollups.dayRetentionDays,
  });
  const reader = createRollupReader(redis, keyspace);

  const stats: SinkStats = { events: 0, redisCommands: 0 };
  const changes = config.changes.enabled
    ? createRollupChangesPublisher({
        reader,
        producer,
        topic: topics.rollups,
        scopes: config.changes.scopes,
        intervalMs: config.changes.intervalMs,
        logger,
        stats,
        shards: config.rollups.shards,
      })
    : null;
  const erasedKeys = erasureKeys(config.redis.keyPrefix);
  const sink = createRollupsSink({
    writer,
    registry,
    erasedCustomers: async (customerKeys) => {
      const values = await redis.mget(
        ...customerKeys.map((key) => erasedKeys.marker(erasureMarkerHash('id', key))),
      );
      return new Set(customerKeys.filter((_, i) => values[i] !== null));
    },
    ...(changes ? { onChanged: (c) => changes.track(c) } : {}),
  });
  const onCrash = (error: Error) => {
    logger.fatal({ err: error }, 'consumer crashed for good; shutting down');
    process.exitCode = 1;
    void shutdown.run('consumer crash');
  };
  const runner = {
    messageBudgetMs: config.runner.messageBudgetMs,
    maxStarts: config.runner.maxStarts,
    fetchMaxWaitMs: config.runner.fetchMaxWaitMs,
    lingerMs: config.runner.lingerMs,
    journal: createRedisAttemptJournal({ redis, keyPrefix: config.redis.keyPrefix }),
  };
  const consumer = createAggregationConsumer({
    kafka,
    producer,
    sink,
    topicPrefix: config.kafka.topicPrefix,
    logger,
    registry,
    concurrency: config.rollups.concurrency,
    onCrash,
    runner,
  });
  const archiveSink = config.archive.enabled
    ? createArchiveSink({
        store,
        ...config.archive,
        erasedAmong: async (markers) => {
          if (markers.length === 0) return new Set();
          try {
            const values = await redis.mget(...markers.map((m) => erasedKeys.marker(m)));
            return new Set(markers.filter((_, i) => values[i] !== null));
          } catch (error) {
            throw new RetryableError('redis', `Redis did not answer: ${(error as Error).message}`, {
              cause: error,
            });
          }
        },
      })
    : null;
  const archive = archiveSink
    ? createArchiveConsumer({
        kafka,
        producer,
        sink: archiveSink,
        topicPrefix: config.kafka.topicPrefix,
        logger,
        concurrency: config.rollups.concurrency,
        flushIntervalMs: config.archive.maxAgeMs,
        onCrash,
        runner,
      })
    : null;
  const feeds = config.feeds.enabled
    ? createFeedsWriter({
        redis,
        keys: writer.keyspace,
        reader,
        store,
        intervalMs: config.feeds.intervalMs,
        retentionDays: config.feeds.retentionDays,
        logger,
      })
    : null;

  // Erasure jobs (created by enrichment): Redis first, then the archive, then the feeds of the days touched.
  const erasureRedis = redis.duplicate();
  erasureRedis.on('error', () => undefined);
  const erasure: ErasureWorker = createErasureWorker({
    redis: erasureRedis,
    keyPrefix: config.redis.keyPrefix,
    logger,
    ...config.erasure,
    steps: {
      redis: async (job) => {
        if (!job.customerId) return { rollupKeys: 0, feedbackItems: 0, verbatims: 0, alerts: 0, profiles: 0 };
        const counts = await eraseCustomerRollups(redis, keyspace, job.customerId);
        // What this instance holds in memory of the shards may name the customer: read again from Redis.
        writer.release();
        return { ...counts, days: counts.days.length };
      },
      archive: async (job, context) => {
        const matches = customerMatcher(job);
        const buffered = archiveSink?.forget(matches) ?? 0;
        const start: ArchiveErasureProgress = context.saved
          ? (JSON.parse(context.saved) as ArchiveErasureProgress)
          : { after: undefined, objectsRead: 0, objectsRewritten: 0, objectsDeleted: 0, eventsRemoved: 0 };
        const done = await eraseFromArchive(store, ARCHIVE_ROOT, matches, start, (p) =>
          context.progress(JSON.stringify(p)),
        );
        return {
          objectsRead: done.objectsRead,
          objectsRewritten: done.objectsRewritten,
          objectsDeleted: done.objectsDeleted,
          eventsRemoved: done.eventsRemoved,
          bufferedRemoved: buffered,
        };
      },
      // The redis step marked the customer's days dirty: the feeds writer rewrites them (now, when it runs here).
      feeds: async () => ({ feedDaysWritten: feeds ? (await feeds.runOnce()).length : 0 }),
    },
  });

  const kafkaCheck = kafkaReadiness(kafka);
  const ops = await startOpsServer({
    port: config.opsPort,
    logger,
    registry,
    checks: [
      kafkaCheck,
      { name: 'redis', check: async () => (await redis.ping()) === 'PONG' },
      ...consumerChecks(consumer, archive),
    ],
  });

  shutdown.add('stop consumers', async () => {
    await Promise.all([consumer.close(), archive?.close()]);
  });
  shutdown.add('publish rollup changes', async () => changes?.close());
  shutdown.add('stop feeds', async () => feeds?.close());
  shutdown.add('stop erasure jobs', async () => {
    await erasure.close();
    await erasureRedis.quit().catch(() => erasureRedis.disconnect());
  });
  shutdown.add('flush producer', () => producer.disconnect());
  shutdown.add('ops server', () => ops.close());
  shutdown.add('close redis', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  shutdown.add('close s3', () => s3.destroy());

  await consumer.start();
  await archive?.start();
  await erasure.start();
  logger.info({ opsPort: ops.port }, 'aggregation started');

  return {
    close: () => shutdown.run('close'),
    opsPort: ops.port,
    stats: sink.stats,
    feeds,
    isReady: () => consumer.isReady() && (archive?.isReady() ?? true),
  };
}

/**
 * Readiness of both consumers, each by name so /readyz says which one has not joined its group: the
 * rollups consumer and, when the archive runs in this process, the archive consumer.
 */
export function consumerChecks(
  rollups: { isReady(): boolean },
  archive: { isReady(): boolean } | null,
): { name: string; check: () => boolean }[] {
  return [
    { name: 'rollups consumer', check: () => rollups.isReady() },
    ...(archive ? [{ name: 'archive consumer', check: () => archive.isReady() }] : []),
  ];
}

if (import.meta.main) await runService('aggregation', start);
