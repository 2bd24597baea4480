import { erasureMarkersOf } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import { bucketsOf } from '@vocflow/rollups';
import type { ArchiveEntry, ParsedFeedback } from '../types.ts';

/** The archive line of a valid enriched event (one JSON object, no newline), filed under its event day. */
export function createToArchiveEntryStep() {
  return async function toArchiveEntryStep(input: ParsedFeedback): Promise<StepResult<ArchiveEntry>> {
    return ok({
      day: bucketsOf(input.item.occurredAt).day,
      line: JSON.stringify(input.item),
      markers: erasureMarkersOf(input.item.customer),
    });
  };
}
