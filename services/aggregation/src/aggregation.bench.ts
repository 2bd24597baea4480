import { randomBytes } from 'node:crypto';
import { topicNames } from '@vocflow/contracts';
import { createKafka, ensureTopics } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { Redis } from 'ioredis';
import { start } from './main.ts';
import { kafkaFor, produceItems, syntheticItems } from './test-harness.ts';

export interface AggregationBenchResult {
  /** Events per second through the whole aggregation (parse, contribution, Redis apply, commit). */
  readonly eventsPerSecond: number;
  /** Events per second of a kafkajs consumer of the same topic that only counts messages. */
  readonly consumeOnlyEventsPerSecond: number;
  readonly ratioToConsumeOnly: number;
  /** Redis commands the aggregation sent per event (script calls, profile/alert writes, change-feed reads). */
  readonly redisCommandsPerEvent: number;
  /** Commands Redis itself counted during the aggregation run (INFO commandstats, whole server, includes script-internal calls and other clients). */
  readonly serverCommandsPerEvent: number;
  /** Redis CPU time used during the aggregation run (whole server). */
  readonly redisCpuSeconds: number;
  readonly aggregationSeconds: number;
}

async function serverCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return user + sys;
}

async function serverCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] === 'info') continue;
    total += Number(match[2]);
  }
  return total;
}

/**
 * Pre-fills a topic with `events` enriched items, then measures, in one run and on the same broker,
 * a consume-only kafkajs consumer and the aggregation service (archive and feeds off: they run in
 * their own consumer group) reading the same topic from the beginning.
 */
export async function benchAggregation(opts: {
  kafkaBrokers: string[];
  redisUrl: string;
  events: number;
}): Promise<AggregationBenchResult> {
  const ns = `bench-agg-${randomBytes(4).toString('hex')}.`;
  const logger = createLogger({ service: 'aggregation-bench', level: 'warn' });
  const topics = topicNames(ns);
  const kafka = createKafka({ brokers: opts.kafkaBrokers, clientId: 'vocflow-bench', logger });
  await ensureTopics(kafka, {
    prefix: ns,
    only: ['feedback.enriched.v1', 'customers.v1', 'feedback.alerts.v1', 'rollups.v1', 'feedback.dlq.v1'],
  });
  const plain = kafkaFor(opts.kafkaBrokers);
  const producer = plain.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await produceItems(
    producer,
    topics.feedbackEnriched,
    syntheticItems(opts.events, 'bench', { customers: 5_000, now: new Date() }),
  );
  await producer.disconnect();

  // Consume-only baseline.
  const consumer = plain.consumer({
    groupId: `${ns}consume-only`,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 1_048_576,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.feedbackEnriched], fromBeginning: true });
  let seen = 0;
  const baselineStarted = performance.now();
  const baselineDone = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (seen >= opts.events) resolve(performance.now());
      },
    });
  });
  const baselineEnded = await baselineDone;
  await consumer.disconnect();
  const consumeOnlyEventsPerSecond = opts.events / ((baselineEnded - baselineStarted) / 1000);

  // The aggregation.
  const redis = new Redis(opts.redisUrl);
  const before = await serverCommands(redis);
  const cpuBefore = await serverCpuSeconds(redis);
  const started = performance.now();
  const handle = await start(
    {
      KAFKA_BROKERS: opts.kafkaBrokers.join(','),
      VOCFLOW_TOPIC_PREFIX: ns,
      REDIS_URL: opts.redisUrl,
      REDIS_KEY_PREFIX: ns,
      AGGREGATION_OPS_PORT: '0',
      ARCHIVE_ENABLED: 'false',
      FEEDS_ENABLED: 'false',
      LOG_LEVEL: 'warn',
    },
    { logger, ensureTopics: false },
  );
  while (handle.stats.events < opts.events) {
    await new Promise((r) => setTimeout(r, 20));
    if (process.env['BENCH_DEBUG']) console.error(Math.round(performance.now() - started), handle.stats);
  }
  const ended = performance.now();
  const after = await serverCommands(redis);
  const redisCpuSeconds = (await serverCpuSeconds(redis)) - cpuBefore;
  await handle.close();
  const eventsPerSecond = opts.events / ((ended - started) / 1000);
  const result: AggregationBenchResult = {
    eventsPerSecond,
    consumeOnlyEventsPerSecond,
    ratioToConsumeOnly: eventsPerSecond / consumeOnlyEventsPerSecond,
    redisCommandsPerEvent: handle.stats.redisCommands / handle.stats.events,
    serverCommandsPerEvent: (after - before) / opts.events,
    redisCpuSeconds,
    aggregationSeconds: (ended - started) / 1000,
  };

  // Clean up the bench's topics and keys.
  const admin = plain.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${ns}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  return result;
}

if (import.meta.main) {
  const events = Number(process.argv[2] ?? 100_000);
  const result = await benchAggregation({
    kafkaBrokers: (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(','),
    redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    events,
  });
  process.stdout.write(`${JSON.stringify({ events, ...result }, null, 2)}\n`);
}
