import { settingsFor } from '@vocflow/contracts';
import type { OutboundMessage } from './types.ts';

/**
 * Bytes a record batch holding only this record takes on the broker, rounded up: the v2 batch header
 * (61 bytes), the record's own fields with every varint at its widest, key, value and headers. The
 * broker compares this (after compression, which we never count on) with `max.message.bytes`.
 */
export const RECORD_BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5; // length, attributes, timestamp/offset deltas, key/value lengths, header count
const HEADER_OVERHEAD_BYTES = 5 + 5; // header key and value lengths

const byteLength = (v: string | Buffer | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;

export function recordSizeBytes(message: Pick<OutboundMessage, 'key' | 'value' | 'headers'>): number {
  let size =
    RECORD_BATCH_OVERHEAD_BYTES + RECORD_OVERHEAD_BYTES + byteLength(message.key) + byteLength(message.value);
  for (const [k, v] of Object.entries(message.headers ?? {}))
    size += HEADER_OVERHEAD_BYTES + byteLength(k) + byteLength(v);
  return size;
}

/** The `max.message.bytes` a vocflow topic is created with (prefix allowed), or undefined for other topics. */
export function topicRecordLimit(topic: string): number | undefined {
  let value: string | undefined;
  try {
    value = settingsFor(topic).config['max.message.bytes'];
  } catch {
    return undefined;
  }
  return value === undefined ? undefined : Number(value);
}
