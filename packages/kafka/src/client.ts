import { costCountersRequested, enableCostCounters, observeKafkaInstance } from '@vocflow/observability';
import { Kafka, type LogEntry, type logCreator, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** Routes kafkajs' own logs into pino, one level down: the runner reports what matters itself. */
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...fields } = log;
      const pinoLevel = LEVELS[level] ?? 'info';
      const demoted = pinoLevel === 'info' ? 'debug' : pinoLevel === 'error' ? 'warn' : pinoLevel;
      logger[demoted]({ kafkajs: fields }, message);
    };
}

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /** Per-request timeout; short so an unavailable cluster is noticed quickly. */
  readonly requestTimeoutMs?: number;
  readonly connectionTimeoutMs?: number;
}

export function createKafka(settings: KafkaSettings): Kafka {
  const kafka = new Kafka({
    clientId: settings.clientId,
    brokers: [...settings.brokers],
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(settings.logger.child({ component: 'kafkajs' })),
    requestTimeout: settings.requestTimeoutMs ?? 10_000,
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5_000 },
  });
  return costCountersRequested() ? observedKafka(kafka) : kafka;
}

/**
 * With the cost counters on (`VOCFLOW_COST_COUNTERS=1`), every consumer, producer and admin the client
 * makes counts the Kafka requests it sends, by API.
 */
function observedKafka(kafka: Kafka): Kafka {
  enableCostCounters();
  const consumer = kafka.consumer.bind(kafka);
  const producer = kafka.producer.bind(kafka);
  const admin = kafka.admin.bind(kafka);
  kafka.consumer = (config) => observeKafkaInstance(consumer(config));
  kafka.producer = (config) => observeKafkaInstance(producer(config));
  kafka.admin = (config) => observeKafkaInstance(admin(config));
  return kafka;
}
