import { ok, type StepResult } from '@vocflow/kafka';
import { type SegmentRule, segmentsFor } from '../segments.rules.ts';
import type { Scored, Segmented } from '../types.ts';

/** Automatic segments (channel, source, profile attribute values) plus the configured rules that match. */
export function createAssignSegmentsStep({ rules }: { rules: readonly SegmentRule[] }) {
  return function assignSegmentsStep(item: Scored): StepResult<Segmented> {
    const segments = segmentsFor(rules, {
      profile: item.customer.snapshot,
      channel: item.raw.channel,
      source: item.raw.source,
    });
    return ok({ ...item, segments });
  };
}
