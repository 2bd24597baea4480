import type { S3Client } from '@aws-sdk/client-s3';
import { createRedis, createS3, type RedisClient } from '@vocflow/clients';
import { redact } from '@vocflow/config';
import { topicNames } from '@vocflow/contracts';
import { createKeyring } from '@vocflow/http';
import { createKafka } from '@vocflow/kafka';
import {
  createLogger,
  createRegistry,
  createShutdown,
  type Logger,
  packageVersion,
  runService,
} from '@vocflow/observability';
import { createRollupReader } from '@vocflow/rollups';
import type { FastifyInstance } from 'fastify';
import { buildApiApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createS3FeedLister } from './feeds.s3.ts';
import { createKafkaPipelineCounter } from './pipeline-counts.kafka.ts';
import { failingAsRedis } from './redis-dependency.ts';
import { createRollupQueries } from './rollup-queries.adapter.ts';

/** The api package's version: in every log line, /healthz and the OpenAPI document. */
const VERSION = packageVersion(import.meta.url);

export interface ApiHandle {
  readonly app: FastifyInstance;
  /** The port actually bound (useful with API_PORT=0). */
  readonly port: number;
  readonly url: string;
  /**
   * Idempotent and graceful, in this order: stop accepting and finish requests in flight, then close
   * Kafka, Redis and S3.
   */
  close(): Promise<void>;
}

export interface ApiOverrides {
  readonly logger?: Logger;
  readonly redis?: RedisClient;
  readonly s3?: S3Client;
}

/** Builds the query API from the environment and listens. */
export async function start(
  env: Record<string, string | undefined>,
  overrides: ApiOverrides = {},
): Promise<ApiHandle> {
  const config = loadConfig(env);
  const logger =
    overrides.logger ?? createLogger({ service: 'api', version: VERSION, level: config.logLevel });
  logger.info({ config: redact(config) }, 'configuration loaded');
  if (config.apiKeys.legacy.length > 0)
    logger.warn('API_KEYS is deprecated: use QUERY_API_KEYS to read and INGEST_API_KEYS to write');
  const shutdown = createShutdown(logger);

  const redis = overrides.redis ?? createRedis(config.redis, { name: 'vocflow-api' });
  redis.on('error', (error: Error) => logger.debug({ err: error }, 'redis connection error'));
  const s3 = overrides.s3 ?? createS3(config.s3);
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: config.kafka.clientId ?? 'vocflow-api',
    logger,
  });
  const topics = topicNames(config.kafka.topicPrefix);
  const pipeline = createKafkaPipelineCounter({
    kafka,
    rawTopic: topics.feedbackRaw,
    dlqTopic: topics.dlq,
    refreshMs: config.pipelineCountsCacheMs,
    timeoutMs: config.pipelineCountsTimeoutMs,
  });
  pipeline.start();
  const registry = createRegistry('api');

  const app = await buildApiApp({
    logger,
    registry,
    checks: [{ name: 'redis', check: async () => (await redis.ping()) === 'PONG' }],
    queries: failingAsRedis(
      createRollupQueries(
        createRollupReader(redis, {
          keyPrefix: config.redis.keyPrefix,
          shards: config.rollupShards,
          verbatimsPerScope: config.verbatimsPerScope,
        }),
      ),
      () => redis.status === 'ready',
    ),
    pipeline,
    feeds: createS3FeedLister({
      s3,
      bucket: config.s3.bucket,
      prefix: config.s3.prefix,
      urlTtlSeconds: config.feedUrlTtlSeconds,
    }),
    keyring: createKeyring(config.apiKeys),
    cacheControl: `private, max-age=${config.cacheMaxAgeSeconds}`,
    overviewCacheMs: config.overviewCacheMs,
    version: VERSION,
  });

  shutdown.add('http', () => app.close());
  shutdown.add('kafka', () => pipeline.close());
  shutdown.add('redis', async () => {
    if (!overrides.redis) await redis.quit().catch(() => redis.disconnect());
  });
  shutdown.add('s3', () => {
    if (!overrides.s3) s3.destroy();
  });

  try {
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await shutdown.run('listen failed');
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
  logger.info({ url }, 'api listening');
  return { app, port, url, close: () => shutdown.run('close') };
}

if (import.meta.main) await runService('api', start, { version: VERSION });
