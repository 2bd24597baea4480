import { decode, EnrichedFeedback } from '@vocflow/contracts';
import { dlq, type InboundMessage, ok, type StepResult } from '@vocflow/kafka';
import type { ParsedFeedback } from '../types.ts';

/** Validates the record's bytes against `feedback.enriched.v1`; anything else goes to the DLQ. */
export function createParseEnrichedStep() {
  return async function parseEnrichedStep(message: InboundMessage): Promise<StepResult<ParsedFeedback>> {
    const decoded = decode(EnrichedFeedback, message.value);
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
