import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Problem, sendProblem } from './problem.ts';

/**
 * A dependency that failed (Kafka, Redis, S3): any error carrying the dependency's name, as
 * `RetryableError` from the runner does. Typed, never guessed from a message.
 */
export interface DependencyFailure {
  readonly dependency: string;
  /** The dependency's own hint, when it gave one. */
  readonly retryAfterMs?: number | undefined;
}

export function isDependencyFailure(error: unknown): error is DependencyFailure {
  return error instanceof Error && typeof (error as { dependency?: unknown }).dependency === 'string';
}

export interface ErrorHandlerOptions {
  /** `Retry-After` of a 503 when the failing dependency gave no hint. */
  readonly retryAfterSeconds: number;
  /** The service's own typed errors (a record too large for its topic, …), checked first. */
  readonly classify?: (error: unknown) => Problem | undefined;
}

/** Fastify's own errors the edge answers with a known problem. */
function fromFastify(error: FastifyError, request: FastifyRequest): Problem | undefined {
  if (error.validation) {
    const issues = error.validation.map((v) => ({
      path: v.instancePath || v.schemaPath,
      message: v.message ?? 'invalid',
    }));
    return error.validationContext === 'querystring'
      ? new Problem('invalid_query', 'One or more query parameters are invalid.', { issues })
      : new Problem('invalid_body', 'The request is invalid.', { issues });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new Problem(
        'payload_too_large',
        `the body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new Problem('unsupported_media_type', error.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new Problem('invalid_body', error.message);
    default:
      if (error.statusCode === 413)
        return new Problem(
          'payload_too_large',
          `the body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`,
        );
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500)
        return new Problem('bad_request', error.message);
      return undefined;
  }
}

/**
 * The one error handler of a vocflow HTTP service: problems as thrown; the service's typed errors;
 * Fastify's validation (400 with field paths) and body errors (413 naming the limit, 415, 400);
 * a failed dependency → 503 with `Retry-After`; anything else → 500. 4xx logs at info, 5xx at error,
 * with the route pattern (never the URL: a webhook token may sit in it).
 */
export function createErrorHandler(options: ErrorHandlerOptions) {
  return function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply) {
    let problem =
      error instanceof Problem
        ? error
        : (options.classify?.(error) ?? fromFastify(error as FastifyError, request));
    if (!problem && isDependencyFailure(error)) {
      const hinted = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
      problem = new Problem('dependency_unavailable', `${error.dependency} is not reachable; retry later`, {
        retryAfterSeconds: Math.max(1, hinted ?? options.retryAfterSeconds),
      });
    }
    const route = request.routeOptions.url ?? '(no route)';
    if (!problem) {
      request.log.error({ err: error, method: request.method, route }, 'request failed');
      return sendProblem(request, reply, new Problem('internal', 'The request failed unexpectedly.'));
    }
    const fields = { status: problem.status, code: problem.code, method: request.method, route };
    if (problem.status >= 500) request.log.error({ ...fields, err: error }, 'request failed');
    else request.log.info(fields, 'request rejected');
    return sendProblem(request, reply, problem);
  };
}

/** The 404 of every unknown path, as a problem. */
export function notFoundHandler(request: FastifyRequest, reply: FastifyReply) {
  return sendProblem(
    request,
    reply,
    new Problem('not_found', `${request.method} ${request.url.split('?')[0]} is not an endpoint`),
  );
}
