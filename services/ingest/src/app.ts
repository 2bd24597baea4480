import { createErrorHandler, createKeyring, notFoundHandler, Problem, requireScope } from '@vocflow/http';
import { type OutboundMessage, RecordsRejectedError, RecordTooLargeError } from '@vocflow/kafka';
import { type OpsRoutesOptions, opsRoutes, type Registry } from '@vocflow/observability';
import type { Mappings } from '@vocflow/sources';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { apiKeyRoutes } from './api-key.routes.ts';
import type { IngestConfig } from './config.ts';
import { erasureRoutes } from './erasure.routes.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import { createIngestMetrics, createRateLimit } from './ingest.hooks.ts';
import { webhooksRoutes } from './webhooks.routes.ts';

export interface IngestAppOptions {
  readonly config: Readonly<IngestConfig>;
  readonly publisher: FeedbackPublisher;
  readonly mappings: Mappings;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly checks: OpsRoutesOptions['checks'];
  /** Produces an erasure request on `customers.v1` (DELETE /v1/customers/…); absent: no erasure routes. */
  readonly publishErasure?: (record: OutboundMessage) => Promise<void>;
  /** Clock (tests freeze it for signature timestamps). */
  readonly now?: () => number;
}

/**
 * Ingest's own typed errors: a record larger than its topic accepts (checked before producing, or
 * refused by the broker) is the client's to fix → 413 naming the limit; nothing of the request is stored.
 */
export function classify(error: unknown): Problem | undefined {
  if (error instanceof RecordTooLargeError) {
    const which = error.index === undefined ? 'a record' : `record [${error.index}]`;
    return new Problem(
      'record_too_large',
      `${which} is ${error.sizeBytes} bytes once encoded, over the ${error.limitBytes}-byte record limit of its topic; nothing was stored`,
    );
  }
  if (
    error instanceof RecordsRejectedError &&
    error.rejected.length > 0 &&
    error.rejected.every((r) => r.reason === 'record_too_large')
  ) {
    const first = error.rejected[0]!;
    return new Problem(
      'record_too_large',
      `record [${first.index}] is over its topic's record limit: ${first.detail}`,
    );
  }
  return undefined;
}

/** Whether the API-key endpoints are open without a key (ALLOW_UNSIGNED_SOURCES=api and no write key). */
export function apiKeysWaived(config: Readonly<IngestConfig>): boolean {
  return (
    config.apiKeys.ingest.length + config.apiKeys.legacy.length === 0 && config.allowUnsigned.includes('api')
  );
}

/**
 * The ingest HTTP edge: raw bodies kept as Buffers (signatures cover the exact bytes), the webhook
 * routes (one per source), the API-key routes, /healthz /readyz /metrics, and the one error handler
 * answering RFC 9457 problem+json. Metrics count every answer of an ingest endpoint, 413 included.
 */
export async function buildIngestApp(options: IngestAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: config.http.maxBodyBytes,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  app.removeAllContentTypeParsers();
  // Every body stays raw; each route checks its own media type (415) and parses after verifying.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler(createErrorHandler({ retryAfterSeconds: config.http.retryAfterSeconds, classify }));
  app.setNotFoundHandler(notFoundHandler);

  const metrics = createIngestMetrics(options.registry);
  app.addHook('onResponse', metrics.observe);
  const rateLimit = createRateLimit(config.http.rateLimitPerSource);
  const shared = {
    publisher: options.publisher,
    mappings: options.mappings,
    keepOriginal: config.keepOriginal,
    metrics,
    rateLimit,
    now,
  };

  await app.register(opsRoutes, { registry: options.registry, checks: options.checks });
  await app.register(webhooksRoutes, {
    ...shared,
    secrets: config.webhookSecrets,
    allowUnsigned: config.allowUnsigned,
    signatureToleranceSeconds: config.signatureToleranceSeconds,
  });
  const checkKey = requireScope(createKeyring(config.apiKeys), 'write');
  await app.register(apiKeyRoutes, {
    ...shared,
    authorize: apiKeysWaived(config) ? async () => undefined : checkKey,
  });
  if (options.publishErasure) {
    // Never waived: erasing needs a key with the erase scope, whatever ALLOW_UNSIGNED_SOURCES says.
    await app.register(erasureRoutes, {
      authorize: requireScope(createKeyring(config.apiKeys), 'erase'),
      publish: options.publishErasure,
    });
  }
  return app;
}
