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

/** Why the broker (or the producer, before sending) refused a record for good: retrying cannot help. */
export type RejectReason =
  | 'record_too_large'
  | 'invalid_record'
  | 'not_authorized'
  | 'unknown_topic'
  | (string & {});

/**
 * One record is larger than its topic accepts (`max.message.bytes`), counted as the broker counts it:
 * key, value, headers and the record and batch overhead. Thrown before anything is produced.
 */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  readonly reason = 'record_too_large';
  readonly topic: string;
  readonly limitBytes: number;
  readonly sizeBytes: number;
  /** Position of the record among those passed in one call, when known. */
  readonly index: number | undefined;

  constructor(topic: string, sizeBytes: number, limitBytes: number, options: { index?: number } = {}) {
    super(`a record of ${sizeBytes} bytes exceeds the ${limitBytes}-byte limit of topic ${topic}`);
    this.topic = topic;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
    this.index = options.index;
  }
}

export interface RejectedRecord {
  readonly topic: string;
  /** Position of the record in the messages passed to `send` for this topic. */
  readonly index: number;
  readonly reason: RejectReason;
  readonly detail: string;
}

/**
 * Some records of a send were refused for a reason retrying cannot fix (too large, invalid,
 * not authorized, unknown topic). Every record of that send NOT listed here was acknowledged.
 */
export class RecordsRejectedError extends Error {
  override readonly name = 'RecordsRejectedError';
  readonly rejected: readonly RejectedRecord[];

  constructor(rejected: readonly RejectedRecord[]) {
    const first = rejected[0];
    super(
      `${rejected.length} record(s) refused for good` +
        (first ? ` (first: ${first.topic}[${first.index}] ${first.reason}: ${first.detail})` : ''),
    );
    this.rejected = rejected;
  }
}
