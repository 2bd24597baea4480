import { type Decoded, decode, EnrichedFeedback } from '@vocflow/contracts';
import { dlq, type InboundMessage, ok, type StepResult } from '@vocflow/kafka';
import type { ParsedFeedback } from '../types.ts';

/** How many decoded records wait for the other consumer group by default (about 4 s at 1,000/s). */
export const SHARED_DECODES = 4_096;

export type EnrichedDecoder = (message: InboundMessage) => Decoded<EnrichedFeedback>;

/**
 * Decodes each enriched record once for the two consumer groups of this process (rollups and archive
 * read the same topic): the first to read a record decodes it and keeps the result, with a copy of its
 * bytes, under its partition and offset; the second takes it if its bytes are the same (a topic
 * recreated under the same name has other bytes at the same offset) and drops it. At most `capacity`
 * results wait, the oldest going first: a group running far behind the other decodes for itself.
 * The decoded record is read, never changed, by both pipelines' steps.
 */
export function createSharedEnrichedDecoder(capacity = SHARED_DECODES): EnrichedDecoder {
  const waiting = new Map<string, { readonly bytes: Buffer; readonly decoded: Decoded<EnrichedFeedback> }>();
  return (message) => {
    const bytes = message.value;
    if (!bytes) return decode(EnrichedFeedback, bytes);
    const key = `${message.topic}\u0000${message.partition}\u0000${message.offset}`;
    const kept = waiting.get(key);
    if (kept) {
      waiting.delete(key);
      if (kept.bytes.equals(bytes)) return kept.decoded;
    }
    const decoded = decode(EnrichedFeedback, bytes);
    // A copy: the message's bytes are a view of the whole fetch response, which must not be kept alive.
    waiting.set(key, { bytes: Buffer.from(bytes), decoded });
    if (waiting.size > capacity) waiting.delete(waiting.keys().next().value!);
    return decoded;
  };
}

/**
 * Validates the record's bytes against `feedback.enriched.v1`; anything else goes to the DLQ. `decoder`
 * shares the work with the process's other consumer group (one of its own when not given).
 */
export function createParseEnrichedStep(decoder: EnrichedDecoder = (m) => decode(EnrichedFeedback, m.value)) {
  return async function parseEnrichedStep(message: InboundMessage): Promise<StepResult<ParsedFeedback>> {
    const decoded = decoder(message);
    if (!decoded.ok)
      return dlq(
        'parseEnrichedStep',
        'invalid_schema',
        'not a valid feedback.enriched.v1 record',
        decoded.issues,
      );
    return ok({ item: decoded.value });
  };
}
