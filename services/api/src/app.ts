import { createErrorHandler, createKeyring, type Keyring, notFoundHandler } from '@vocflow/http';
import { opsRoutes, type ReadinessCheck, type Registry } from '@vocflow/observability';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { dashboardRoutes } from './dashboard.routes.ts';
import { openApiDocument } from './openapi.ts';
import type { FeedLister, PipelineCounter, RollupQueries } from './rollup-queries.ts';
import { v1Routes } from './v1.routes.ts';

export interface ApiAppOptions {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
  readonly queries: RollupQueries;
  readonly pipeline: PipelineCounter;
  readonly feeds: FeedLister;
  /** The keys and their scopes (QUERY_API_KEYS, …); `apiKeys` alone are the deprecated API_KEYS. */
  readonly keyring?: Keyring;
  readonly apiKeys?: readonly string[];
  readonly cacheControl: string;
  /** See V1RoutesOptions.overviewCacheMs. */
  readonly overviewCacheMs?: number;
  readonly version: string;
  readonly clock?: () => Date;
}

/** `Retry-After` of a 503 when Redis, S3 or Kafka is down. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** The query API's HTTP edge, without listening: `main.ts` listens, tests use `inject()`. */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Dashboards poll every few seconds: no line per request; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.setErrorHandler(createErrorHandler({ retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS }));
  app.setNotFoundHandler(notFoundHandler);

  await app.register(opsRoutes, { registry: options.registry, checks: options.checks });
  await app.register(dashboardRoutes);
  const document = openApiDocument(options.version);
  app.get('/openapi.json', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(document),
  );
  await app.register(v1Routes, {
    prefix: '/v1',
    queries: options.queries,
    pipeline: options.pipeline,
    feeds: options.feeds,
    keyring: options.keyring ?? createKeyring({ legacy: options.apiKeys ?? [] }),
    cacheControl: options.cacheControl,
    ...(options.overviewCacheMs === undefined ? {} : { overviewCacheMs: options.overviewCacheMs }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return app;
}
