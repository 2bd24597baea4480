import { type OpsRoutesOptions, opsRoutes, type Registry } from '@vocflow/observability';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type IngestRoutesOptions, ingestRoutes } from './ingest.routes.ts';
import { Problem, problemBody } from './problem.ts';

export interface IngestAppOptions extends IngestRoutesOptions {
  readonly logger: Logger;
  readonly registry: Registry;
  readonly checks: OpsRoutesOptions['checks'];
}

/** Fastify error codes the edge answers with a known problem. */
function fromFastify(error: FastifyError): Problem | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem('payload_too_large', error.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new Problem(
        error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'invalid_body',
        error.message,
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Problem('invalid_body', error.message);
    default:
      return error.statusCode === 413 ? new Problem('payload_too_large', error.message) : undefined;
  }
}

/**
 * The ingest HTTP edge: raw bodies kept as Buffers (signatures cover the exact bytes), the ingest
 * routes, /healthz /readyz /metrics, and one error handler answering RFC 9457 problem+json.
 */
export async function buildIngestApp(options: IngestAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: options.config.http.maxBodyBytes,
    disableRequestLogging: true,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.removeAllContentTypeParsers();
  // Every body stays raw; each route checks its own media type (415) and parses after verifying.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = error instanceof Problem ? error : fromFastify(error);
    if (!problem) {
      request.log.error({ err: error, url: request.url }, 'request failed');
      const internal = new Problem('internal', 'unexpected error');
      return reply.code(500).type('application/problem+json').send(problemBody(internal, request.url));
    }
    const level = problem.status >= 500 ? 'warn' : 'info';
    request.log[level](
      { status: problem.status, code: problem.code, url: request.url },
      problem.status >= 500 ? 'request not stored' : 'request rejected',
    );
    if (problem.retryAfterSeconds !== undefined)
      reply.header('retry-after', String(problem.retryAfterSeconds));
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .send(problemBody(problem, request.url));
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = new Problem('not_found', `${request.method} ${request.url} is not an ingest endpoint`);
    return reply.code(404).type('application/problem+json').send(problemBody(problem, request.url));
  });

  await app.register(opsRoutes, { registry: options.registry, checks: options.checks });
  await app.register(ingestRoutes, options);
  return app;
}
