import { DlqRecord, type DlqStage, encode } from '@vocflow/contracts';
import type { DlqResult } from '@vocflow/steps';
import type { RecordsRejectedError } from './errors.ts';
import type { InboundMessage, OutboundMessage, SinkRejection } from './types.ts';

/** The DLQ record for a message a step gave up on: the original bytes and headers, where it came from, why. */
export function toDlqMessage(
  message: InboundMessage,
  result: DlqResult,
  context: { stage: DlqStage; service: string; attempts: number; feedbackId?: string },
): OutboundMessage {
  const record: DlqRecord = {
    schema: 'feedback.dlq.v1',
    stage: context.stage,
    reason: result.reason,
    step: result.step,
    ...(result.detail === undefined ? {} : { detail: result.detail.slice(0, 8192) }),
    ...(result.issues === undefined ? {} : { issues: result.issues.slice(0, 100).map((i) => ({ ...i })) }),
    attempts: context.attempts,
    origin: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      timestamp: message.timestamp,
    },
    original: {
      key: message.key === null ? null : message.key.toString('base64'),
      value: message.value === null ? null : message.value.toString('base64'),
      headers: Object.fromEntries(
        Object.entries(message.headers).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]),
      ),
    },
    ...(context.feedbackId === undefined ? {} : { feedbackId: context.feedbackId }),
    service: context.service,
    failedAt: new Date().toISOString(),
  };
  return {
    key: message.key,
    value: encode(DlqRecord, record),
    headers: { 'vocflow-dlq-reason': result.reason, 'vocflow-dlq-stage': context.stage },
  };
}

/** The message a DLQ record came from, to produce again to its original topic (replay). */
export function fromDlqRecord(record: DlqRecord): { topic: string; message: OutboundMessage } {
  return {
    topic: record.origin.topic,
    message: {
      key: record.original.key === null ? null : Buffer.from(record.original.key, 'base64'),
      value: record.original.value === null ? null : Buffer.from(record.original.value, 'base64'),
      headers: {
        ...Object.fromEntries(
          Object.entries(record.original.headers).map(([k, v]) => [
            k,
            Buffer.from(v, 'base64').toString('utf8'),
          ]),
        ),
        'vocflow-replayed-from': `${record.origin.topic}/${record.origin.partition}/${record.origin.offset}`,
      },
    },
  };
}

/**
 * The sink's view of a RecordsRejectedError: the inputs whose outputs were refused for good, found by
 * `inputOf(topic, index)` (the offset of the input that produced the index-th record sent to topic).
 * One input appears once, with the first reason found.
 */
export function rejectedInputs(
  error: RecordsRejectedError,
  inputOf: (topic: string, index: number) => string | undefined,
): SinkRejection[] {
  const byOffset = new Map<string, SinkRejection>();
  for (const r of error.rejected) {
    const offset = inputOf(r.topic, r.index);
    if (offset === undefined || byOffset.has(offset)) continue;
    byOffset.set(offset, { offset, reason: r.reason, detail: `${r.topic}: ${r.detail}` });
  }
  return [...byOffset.values()];
}
