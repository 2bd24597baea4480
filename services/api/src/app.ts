import { opsRoutes, type ReadinessCheck, type Registry } from '@vocflow/observability';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { dashboardRoutes } from './dashboard.routes.ts';
import { openApiDocument } from './openapi.ts';
import { errorHandler, problems, sendProblem } from './problem.ts';
import type { FeedLister, PipelineCounter, RollupQueries } from './rollup-queries.ts';
import { v1Routes } from './v1.routes.ts';

export interface ApiAppOptions {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
  readonly queries: RollupQueries;
  readonly pipeline: PipelineCounter;
  readonly feeds: FeedLister;
  readonly apiKeys: readonly string[];
  readonly cacheControl: string;
  readonly version: string;
  readonly clock?: () => Date;
}

/** The query API's HTTP edge, without listening: `main.ts` listens, tests use `inject()`. */
export async function buildApiApp(options: ApiAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Dashboards poll every few seconds: no line per request; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problems.notFound(request.url.split('?')[0] ?? '')),
  );
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500)
      request.log.error({ status: reply.statusCode, url: request.routeOptions.url }, 'request failed');
  });

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
    apiKeys: options.apiKeys,
    cacheControl: options.cacheControl,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  return app;
}
