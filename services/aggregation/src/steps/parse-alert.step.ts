import { decode, FeedbackAlert } from '@vocflow/contracts';
import { dlq, type InboundMessage, ok, type StepResult } from '@vocflow/kafka';
import type { AggregationOutput } from '../types.ts';

/** A `feedback.alerts.v1` record, kept in the recent-alerts list for the API. */
export function createParseAlertStep() {
  return async function parseAlertStep(message: InboundMessage): Promise<StepResult<AggregationOutput>> {
    const decoded = decode(FeedbackAlert, message.value);
    if (!decoded.ok)
      return dlq('parseAlertStep', 'invalid_schema', 'not a valid feedback.alerts.v1 record', decoded.issues);
    return ok({ kind: 'alert', alert: decoded.value });
  };
}
