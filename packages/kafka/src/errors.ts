/** Step errors live in @vocflow/steps; re-exported so the Kafka package's modules and users keep one import. */
export { type Dependency, isRetryable, PoisonError, RetryableError } from '@vocflow/steps';

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
