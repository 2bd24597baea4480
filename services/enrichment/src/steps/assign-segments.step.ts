import { ok, type StepResult } from '@vocflow/kafka';
import { type SegmentRule, segmentsFor } from '../segments.rules.ts';
import type { Scored, Segmented } from '../types.ts';

/**
 * Automatic segments (the listed attributes: channel, source, language, tier, region, …) plus the
 * configured rules that match.
 */
export function createAssignSegmentsStep({
  rules,
  attributes,
}: {
  rules: readonly SegmentRule[];
  /** Which attributes form automatic segments (default: DEFAULT_SEGMENT_ATTRIBUTES). */
  attributes?: readonly string[] | undefined;
}) {
  return function assignSegmentsStep(item: Scored): StepResult<Segmented> {
    const segments = segmentsFor(
      rules,
      {
        profile: item.customer.snapshot,
        channel: item.raw.channel,
        source: item.raw.source,
        language: item.sentiment?.language,
      },
      attributes,
    );
    return ok({ ...item, segments });
  };
}
