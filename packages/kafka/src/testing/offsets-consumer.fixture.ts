/**
 * A consumer process for the runner's crash test: it records every offset its sink writes in a Redis
 * list (the "output"), slowly, so the test can kill it with SIGKILL in the middle of a batch.
 * Settings come from the environment: KAFKA_BROKERS, REDIS_URL, TOPIC, DLQ_TOPIC, GROUP, OUTPUT_KEY.
 */
import { createLogger } from '@vocflow/observability';
import { ok } from '@vocflow/steps';
import { Redis } from 'ioredis';
import { createKafka } from '../client.ts';
import { createBatchConsumer } from '../consumer.ts';
import { createProducer } from '../producer.ts';

const env = process.env;
const logger = createLogger({ service: 'offsets-fixture', level: 'warn' });
const kafka = createKafka({ brokers: env['KAFKA_BROKERS']!.split(','), clientId: 'offsets-fixture', logger });
const redis = new Redis(env['REDIS_URL']!);
const producer = createProducer(kafka, { logger });
await producer.connect();
const consumer = createBatchConsumer<string>({
  kafka,
  groupId: env['GROUP']!,
  topics: [env['TOPIC']!],
  service: 'offsets-fixture',
  stage: 'enrichment',
  dlqTopic: env['DLQ_TOPIC']!,
  producer,
  logger,
  // Small fetches: many batches, so a kill lands in the middle of the stream.
  maxBytesPerPartition: 1024,
  // The killed instance must leave the group quickly for the test to finish in seconds.
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 1_000,
  process: async (message) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return ok(message.offset);
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
