import { Problem, type ProblemIssue } from '@vocflow/http';

export type { ProblemIssue };

/**
 * The problems the query API throws, by name; written by the shared error handler of @vocflow/http
 * (one catalogue and one type-URL scheme with ingest).
 */
export const problems = {
  invalidQuery: (issues: readonly ProblemIssue[]) =>
    new Problem('invalid_query', 'One or more query parameters are invalid.', { issues }),
  segmentNotFound: (id: string) => new Problem('segment_not_found', `No segment "${id}" has any feedback.`),
  customerNotFound: (id: string) => new Problem('customer_not_found', `No customer "${id}" is known.`),
};
