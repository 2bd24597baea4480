import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The catalogue of problems vocflow's HTTP services answer with, as RFC 9457 problem details
 * (`application/problem+json`). A code is written snake_case in code; its type URL is kebab-case:
 * `invalid_body` → `https://vocflow.dev/problems/invalid-body`. One scheme for ingest and the query API.
 */
export const PROBLEMS = {
  invalid_body: { status: 400, title: 'The request body is invalid' },
  invalid_query: { status: 400, title: 'Invalid query parameters' },
  bad_request: { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  invalid_signature: { status: 401, title: 'Missing or invalid webhook signature' },
  forbidden: { status: 403, title: 'This API key does not allow this request' },
  source_disabled: { status: 404, title: 'This source is not enabled' },
  not_found: { status: 404, title: 'No such endpoint' },
  segment_not_found: { status: 404, title: 'Unknown segment' },
  customer_not_found: { status: 404, title: 'Unknown customer' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  record_too_large: { status: 413, title: 'A record is larger than its topic accepts' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests for this endpoint' },
  dependency_unavailable: { status: 503, title: 'A dependency is unavailable; retry later' },
  internal: { status: 500, title: 'Internal error' },
} as const;
export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_TYPE_BASE = 'https://vocflow.dev/problems/';

/** The type URL of a problem code (kebab-case). */
export function problemType(code: ProblemCode): string {
  return `${PROBLEM_TYPE_BASE}${code.replaceAll('_', '-')}`;
}

export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

export interface ProblemOptions {
  readonly issues?: readonly ProblemIssue[];
  readonly retryAfterSeconds?: number;
}

/** An answer a handler or hook throws; the one error handler writes it. */
export class Problem extends Error {
  override readonly name = 'Problem';
  readonly code: ProblemCode;
  readonly status: number;
  readonly title: string;
  readonly issues: readonly ProblemIssue[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ProblemCode, detail: string, options: ProblemOptions = {}) {
    super(detail);
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.title = PROBLEMS[code].title;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

const MAX_DETAIL = 1_000;
const MAX_ISSUES = 50;
const MAX_ISSUE_TEXT = 200;

/** The problem+json body; bounded, so a hostile input cannot make the answer large. */
export function problemBody(problem: Problem, instance: string): Record<string, unknown> {
  return {
    type: problemType(problem.code),
    title: problem.title,
    status: problem.status,
    detail: problem.message.slice(0, MAX_DETAIL),
    instance,
    ...(problem.issues
      ? {
          issues: problem.issues.slice(0, MAX_ISSUES).map((i) => ({
            path: i.path.slice(0, MAX_ISSUE_TEXT),
            message: i.message.slice(0, MAX_ISSUE_TEXT),
          })),
        }
      : {}),
  };
}

/** Writes a problem: status, `WWW-Authenticate` on 401 for API keys, `Retry-After` when known. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.code === 'unauthorized') reply.header('www-authenticate', 'Bearer realm="vocflow"');
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send(problemBody(problem, request.url.split('?')[0] ?? ''));
}
