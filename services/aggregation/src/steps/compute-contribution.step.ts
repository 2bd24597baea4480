import { dlq, ok, type StepResult } from '@vocflow/kafka';
import { contributionOf } from '@vocflow/rollups';
import type { AggregationOutput, ParsedFeedback } from '../types.ts';

/** The increments the item adds to each rollup it belongs to; the sink applies them atomically. */
export function createComputeContributionStep() {
  return async function computeContributionStep(
    input: ParsedFeedback,
  ): Promise<StepResult<AggregationOutput>> {
    if (Number.isNaN(Date.parse(input.item.occurredAt)))
      return dlq('computeContributionStep', 'invalid_event_time', 'occurredAt is not a date');
    return ok({ kind: 'feedback', contribution: contributionOf(input.item) });
  };
}
