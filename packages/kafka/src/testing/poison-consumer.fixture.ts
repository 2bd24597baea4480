/**
 * A consumer process for the runner's "message that kills its worker" test: the message whose value
 * is `poison` freezes the process (a synchronous endless loop, as a pathological regex would) after
 * counting its start in Redis, so the test can SIGKILL it there. Every other value is appended to a
 * Redis list. The runner's journal lives in Redis. Settings from the environment: KAFKA_BROKERS,
 * REDIS_URL, TOPIC, DLQ_TOPIC, GROUP, OUTPUT_KEY, STARTS_KEY, JOURNAL_PREFIX, MAX_STARTS.
 */
import { createLogger } from '@vocflow/observability';
import { ok } from '@vocflow/steps';
import { Redis } from 'ioredis';
import { createRedisAttemptJournal } from '../attempt-journal.ts';
import { createKafka } from '../client.ts';
import { createBatchConsumer } from '../consumer.ts';
import { createProducer } from '../producer.ts';

const env = process.env;
const logger = createLogger({ service: 'poison-fixture', level: 'warn' });
const kafka = createKafka({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'poison-fixture', logger });
const redis = new Redis(env['REDIS_URL']!);
const producer = createProducer(kafka, { logger });
await producer.connect();
const consumer = createBatchConsumer<string>({
  kafka,
  groupId: env['GROUP']!,
  topics: [env['TOPIC']!],
  service: 'poison-fixture',
  stage: 'enrichment',
  dlqTopic: env['DLQ_TOPIC']!,
  producer,
  logger,
  journal: createRedisAttemptJournal({ redis, keyPrefix: env['JOURNAL_PREFIX']! }),
  maxStarts: Number(env['MAX_STARTS']),
  // The killed instance must leave the group quickly for the test to finish in seconds.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  process: async (message) => {
    const value = message.value!.toString();
    if (value === 'poison') {
      await redis.incr(env['STARTS_KEY']!);
      for (;;) {
        // Frozen: no timer, no heartbeat, no signal handler runs again.
      }
    }
    return ok(value);
  },
  sink: {
    async write(outputs) {
      if (outputs.length > 0) await redis.rpush(env['OUTPUT_KEY']!, ...outputs.map((o) => o.value));
      return undefined;
    },
  },
});
await consumer.start();
process.stdout.write('started\n');
