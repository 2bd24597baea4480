import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/**
 * RFC 9457 problem details. Every error the API answers with is one of these, as
 * `application/problem+json`, so clients parse one shape.
 */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

const PROBLEM_BASE = 'https://vocflow.dev/problems/';

export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly issues: readonly ProblemIssue[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string,
    title: string,
    detail: string,
    options: { issues?: readonly ProblemIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.status = status;
    this.code = code;
    this.title = title;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The catalogue of problems the query API answers with. */
export const problems = {
  invalidQuery: (issues: readonly ProblemIssue[]) =>
    new ProblemError(
      400,
      'invalid_query',
      'Invalid query parameters',
      'One or more query parameters are invalid.',
      {
        issues,
      },
    ),
  unauthorized: () =>
    new ProblemError(
      401,
      'unauthorized',
      'Missing or invalid API key',
      'Send an API key as `Authorization: Bearer <key>`.',
    ),
  segmentNotFound: (id: string) =>
    new ProblemError(404, 'segment_not_found', 'Unknown segment', `No segment "${id}" has any feedback.`),
  customerNotFound: (id: string) =>
    new ProblemError(404, 'customer_not_found', 'Unknown customer', `No customer "${id}" is known.`),
  notFound: (url: string) => new ProblemError(404, 'not_found', 'Not found', `Nothing answers at ${url}.`),
  dependencyDown: (dependency: string) =>
    new ProblemError(
      503,
      'dependency_unavailable',
      'Service unavailable',
      `${dependency} is not reachable; retry later.`,
      {
        retryAfterSeconds: 5,
      },
    ),
};

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: ProblemError,
): FastifyReply {
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="vocflow"');
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({
      type: `${PROBLEM_BASE}${problem.code}`,
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance: request.url.split('?')[0],
      ...(problem.issues ? { issues: problem.issues } : {}),
    });
}

/** Recognises a failing dependency: our RetryableError, or a Redis/S3/Kafka client's connection error. */
export function dependencyOf(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as { dependency?: unknown; name?: unknown; message?: unknown; code?: unknown };
  if (typeof e.dependency === 'string') return e.dependency;
  const message = typeof e.message === 'string' ? e.message : '';
  if (/enableOfflineQueue|Connection is closed|ECONNREFUSED|ClusterAllFailedError/i.test(message))
    return 'redis';
  if (e.name === 'KafkaJSConnectionError' || e.name === 'KafkaJSNumberOfRetriesExceeded') return 'kafka';
  return undefined;
}

/** The one error handler: problems as they are, validation 400, dependency down 503, else 500. */
export function errorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ProblemError) {
    request.log.info({ status: error.status, code: error.code }, 'request rejected');
    return sendProblem(request, reply, error);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    return sendProblem(
      request,
      reply,
      problems.invalidQuery(
        fastifyError.validation.map((v) => ({
          path: v.instancePath || v.schemaPath,
          message: v.message ?? 'invalid',
        })),
      ),
    );
  }
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    request.log.info({ status: fastifyError.statusCode, code: fastifyError.code }, 'request rejected');
    return sendProblem(
      request,
      reply,
      new ProblemError(fastifyError.statusCode, 'bad_request', 'Bad request', error.message),
    );
  }
  const dependency = dependencyOf(error);
  if (dependency !== undefined) {
    request.log.warn({ err: error, dependency }, 'dependency unavailable');
    return sendProblem(request, reply, problems.dependencyDown(dependency));
  }
  request.log.error({ err: error }, 'request failed');
  return sendProblem(
    request,
    reply,
    new ProblemError(500, 'internal_error', 'Internal error', 'The request failed unexpectedly.'),
  );
}
