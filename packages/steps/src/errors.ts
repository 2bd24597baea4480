/**
 * Error classes a step or sink throws to tell the runner what retrying can do.
 *
 * - RetryableError: the message is fine, a dependency is not (Kafka, Redis, S3, a provider API).
 *   The runner backs off with jitter, does not commit, pauses the partition and tries again. Never DLQ'd.
 * - PoisonError: the message itself is bad. It goes to the DLQ with its reason; the runner commits past it.
 * - Anything else is a bug: retried a few times, then DLQ'd as `retries_exhausted`.
 */
export type Dependency = 'kafka' | 'redis' | 's3' | 'provider' | (string & {});

export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  readonly dependency: Dependency;
  /** A hint from the dependency (HTTP Retry-After, …). */
  readonly retryAfterMs: number | undefined;

  constructor(
    dependency: Dependency,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, { cause: options.cause });
    this.dependency = dependency;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class PoisonError extends Error {
  override readonly name = 'PoisonError';
  readonly reason: string;
  readonly issues: readonly { path: string; message: string }[] | undefined;

  constructor(
    reason: string,
    message: string,
    options: { cause?: unknown; issues?: { path: string; message: string }[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.issues = options.issues;
  }
}

export function isRetryable(error: unknown): error is RetryableError {
  return error instanceof RetryableError;
}
