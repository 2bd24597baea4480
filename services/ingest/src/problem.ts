import type { ContractIssue } from '@vocflow/contracts';

/**
 * The catalogue of errors the ingest edge answers with, as RFC 9457 problem details
 * (`application/problem+json`). Thrown by handlers; the one error handler writes them.
 */
export const PROBLEMS = {
  invalid_body: { status: 400, title: 'The request body is invalid' },
  unauthorized: { status: 401, title: 'Missing or invalid credentials' },
  source_disabled: { status: 404, title: 'This source is not enabled' },
  not_found: { status: 404, title: 'No such endpoint' },
  payload_too_large: { status: 413, title: 'The request body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  rate_limited: { status: 429, title: 'Too many requests for this source' },
  kafka_unavailable: { status: 503, title: 'Feedback cannot be stored right now; retry later' },
  internal: { status: 500, title: 'Internal error' },
} as const;
export type ProblemCode = keyof typeof PROBLEMS;

export class Problem extends Error {
  override readonly name = 'Problem';
  readonly code: ProblemCode;
  readonly status: number;
  readonly issues: readonly ContractIssue[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { issues?: readonly ContractIssue[]; retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.issues = options.issues;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function problemBody(problem: Problem, instance: string): Record<string, unknown> {
  return {
    type: `https://vocflow.dev/problems/${problem.code.replaceAll('_', '-')}`,
    title: PROBLEMS[problem.code].title,
    status: problem.status,
    detail: problem.message.slice(0, 1_000),
    instance,
    ...(problem.issues
      ? {
          issues: problem.issues
            .slice(0, 50)
            .map((i) => ({ path: i.path.slice(0, 200), message: i.message.slice(0, 200) })),
        }
      : {}),
  };
}
