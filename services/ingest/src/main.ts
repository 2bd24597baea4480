import { redact } from '@vocflow/config';
import { topicNames } from '@vocflow/contracts';
import { createKafka, createProducer, kafkaReadiness, type VocflowProducer } from '@vocflow/kafka';
import {
  createLogger,
  createRegistry,
  createShutdown,
  type Logger,
  runService,
} from '@vocflow/observability';
import { loadMappings, type Mappings, WEBHOOK_SOURCES } from '@vocflow/sources';
import type { FastifyInstance } from 'fastify';
import type { Kafka } from 'kafkajs';
import { apiKeysWaived, buildIngestApp } from './app.ts';
import { type IngestConfig, loadConfig } from './config.ts';
import { createFeedbackPublisher } from './feedback.publisher.ts';
import { withInputLimits } from './input-limits.ts';

export interface IngestOverrides {
  readonly logger?: Logger;
  /** A Kafka client to use instead of one built from KAFKA_BROKERS (tests that cut the connection). */
  readonly kafka?: Kafka;
  readonly mappings?: Mappings;
  readonly now?: () => number;
}

export interface IngestHandle {
  readonly app: FastifyInstance;
  /** The port actually bound (INGEST_PORT=0 picks a free one). */
  readonly port: number;
  readonly url: string;
  readonly producer: VocflowProducer;
  /** Idempotent: stops accepting, lets requests in flight finish, flushes the producer. */
  close(): Promise<void>;
}

/** Says at start which sources are disabled or unsigned, and whether the API-key endpoints are open. */
export function logSourcesAndKeys(config: Readonly<IngestConfig>, logger: Logger): void {
  for (const source of WEBHOOK_SOURCES) {
    if (source.secrets(config.webhookSecrets).length > 0) continue;
    if (config.allowUnsigned.includes(source.name))
      logger.warn({ source: source.name }, 'source accepts UNSIGNED webhooks (local development only)');
    else
      logger.info(
        { source: source.name, set: source.secretVariables.join(' and ') },
        'source disabled: no secret configured',
      );
  }
  if (apiKeysWaived(config))
    logger.warn(
      { allowUnsigned: 'api' },
      'WARNING: /v1/interviews, /v1/mentions and /v1/customers accept requests WITHOUT an API key ' +
        '(ALLOW_UNSIGNED_SOURCES=api and no INGEST_API_KEYS): local development only, refused when NODE_ENV=production',
    );
  else if (config.apiKeys.ingest.length + config.apiKeys.legacy.length === 0)
    logger.warn(
      'INGEST_API_KEYS is empty: /v1/interviews, /v1/mentions and /v1/customers refuse every request',
    );
  if (config.apiKeys.legacy.length > 0)
    logger.warn('API_KEYS is deprecated: use INGEST_API_KEYS to write and QUERY_API_KEYS to read');
}

/** Starts the ingest HTTP service. Reads nothing but `env`. */
export async function start(
  env: Record<string, string | undefined>,
  overrides: IngestOverrides = {},
): Promise<IngestHandle> {
  const config = loadConfig(env);
  const logger = overrides.logger ?? createLogger({ service: 'ingest', level: config.logLevel });
  logger.info({ config: redact(config) }, 'configuration');
  const mappings = overrides.mappings ?? loadMappings(config.mappingsPath);
  logSourcesAndKeys(config, logger);

  const registry = createRegistry('ingest');
  const kafka =
    overrides.kafka ??
    createKafka({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId ?? 'vocflow-ingest',
      logger,
    });
  // Requests arrive one per event-loop turn: a couple of milliseconds' linger lets those of the same
  // moment share one produce request (and its acknowledgement) instead of one each.
  const producer = createProducer(kafka, {
    logger,
    registry,
    sendTimeoutMs: config.kafkaTimeoutMs,
    lingerMs: config.produceLingerMs,
  });
  const readiness = kafkaReadiness(kafka);
  // Connect eagerly but do not fail start-up: a request while Kafka is down answers 503 and the
  // producer reconnects by itself.
  producer.connect().catch((error: unknown) => logger.warn({ err: error }, 'Kafka not reachable yet'));

  const app = await buildIngestApp({
    config,
    logger,
    registry,
    checks: [readiness],
    publisher: withInputLimits(
      createFeedbackPublisher(producer, config.kafka.topicPrefix),
      config.inputLimits,
    ),
    mappings,
    publishErasure: (record) => producer.send(topicNames(config.kafka.topicPrefix).customers, [record]),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  await app.listen({ port: config.http.port, host: config.http.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.info({ port, topic: topicNames(config.kafka.topicPrefix).feedbackRaw }, 'ingest listening');

  const shutdown = createShutdown(logger);
  shutdown.add('stop intake and finish requests in flight', () => app.close());
  shutdown.add('flush producer', () => producer.disconnect());
  return {
    app,
    port,
    url: `http://127.0.0.1:${port}`,
    producer,
    close: () => shutdown.run('close'),
  };
}

if (import.meta.main) await runService('ingest', start);
