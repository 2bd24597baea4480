import { decode, RawFeedback } from '@vocflow/contracts';
import { dlq, type InboundMessage, ok, type StepResult } from '@vocflow/kafka';
import type { Parsed } from '../types.ts';

/** Validates the record's bytes against `feedback.raw.v1`; anything else goes to the DLQ with its issues. */
export function createParseRawStep() {
  return async function parseRawStep(message: InboundMessage): Promise<StepResult<Parsed>> {
    const decoded = decode(RawFeedback, message.value);
    if (!decoded.ok)
      return dlq('parseRawStep', 'invalid_schema', 'not a valid feedback.raw.v1 record', decoded.issues);
    return ok({ raw: decoded.value });
  };
}
