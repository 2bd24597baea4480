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
  /** Events per second of a consumer that only parses each value as JSON: the ceiling of any aggregation. */
  readonly parseOnlyEventsPerSecond: number;
  readonly parseOnlyRatioToConsumeOnly: number;
  /** Mean size of an enriched event's value. */
  readonly bytesPerEvent: number;
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
  const items = syntheticItems(opts.events, 'bench', { customers: 5_000, now: new Date() });
  const sample = items.slice(0, 1_000);
  const bytesPerEvent = Math.round(
    sample.reduce((n, item) => n + Buffer.byteLength(JSON.stringify(item)), 0) / sample.length,
  );
  await produceItems(producer, topics.feedbackEnriched, items);
  await producer.disconnect();

  // Baselines on the same topic: a consumer that only counts messages, and one that also parses each
  // value as JSON (the least any aggregation must do with an event).
  const baseline = async (group: string, parse: boolean): Promise<number> => {
    const consumer = plain.consumer({
      groupId: `${ns}${group}`,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 1_048_576,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.feedbackEnriched], fromBeginning: true });
    let seen = 0;
    let first = 0;
    let parsed = 0;
    // From the start of the fetch that brought the first records: a fetch can bring them all at once,
    // and timing from the first callback would then time nothing.
    let fetchStarted = 0;
    consumer.on(consumer.events.FETCH_START, () => {
      if (seen === 0) fetchStarted = performance.now();
    });
    const done = new Promise<number>((resolve) => {
      void consumer.run({
        eachBatchAutoResolve: true,
        eachBatch: async ({ batch }) => {
          first ||= fetchStarted || performance.now();
          if (parse)
            for (const m of batch.messages)
              parsed += (JSON.parse(m.value?.toString('utf8') ?? '{}') as { version?: number }).version ?? 0;
          seen += batch.messages.length;
          if (seen >= opts.events) resolve(performance.now());
        },
      });
    });
    const ended = await done;
    await consumer.disconnect();
    if (parse && parsed === 0) throw new Error('the parse-only baseline parsed nothing');
    return opts.events / ((ended - first) / 1000);
  };
  const consumeOnlyEventsPerSecond = await baseline('consume-only', false);
  const parseOnlyEventsPerSecond = await baseline('parse-only', true);

  // The aggregation.
  const redis = new Redis(opts.redisUrl);
  const before = await serverCommands(redis);
  const cpuBefore = await serverCpuSeconds(redis);
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
  // Timed from the moment the service is ready (group joined, about to fetch) to the last event
  // handled. Not from the first event seen: the runner processes every partition of a fetch before
  // its write counts them, and this loop's timer cannot run while it does, so a count that goes from
  // none to all between two looks would time only the last write.
  const first = performance.now();
  if (handle.stats.events > 0) {
    await handle.close();
    redis.disconnect();
    throw new Error('the aggregation handled events before it could be timed (started too fast)');
  }
  while (handle.stats.events < opts.events) await new Promise((r) => setTimeout(r, 5));
  const ended = performance.now();
  const after = await serverCommands(redis);
  const redisCpuSeconds = (await serverCpuSeconds(redis)) - cpuBefore;
  await handle.close();
  const eventsPerSecond = opts.events / ((ended - first) / 1000);
  const result: AggregationBenchResult = {
    eventsPerSecond,
    consumeOnlyEventsPerSecond,
    ratioToConsumeOnly: eventsPerSecond / consumeOnlyEventsPerSecond,
    parseOnlyEventsPerSecond,
    parseOnlyRatioToConsumeOnly: parseOnlyEventsPerSecond / consumeOnlyEventsPerSecond,
    bytesPerEvent,
    redisCommandsPerEvent: handle.stats.redisCommands / handle.stats.events,
    serverCommandsPerEvent: (after - before) / opts.events,
    redisCpuSeconds,
    aggregationSeconds: (ended - first) / 1000,
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
