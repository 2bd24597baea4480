import type { CustomerProfile, EnrichedFeedback, FeedbackAlert } from '@vocflow/contracts';
import type { Contribution } from '@vocflow/rollups';

/** What the aggregation pipeline hands its sink for one consumed record. */
export type AggregationOutput =
  | { readonly kind: 'feedback'; readonly contribution: Contribution }
  | { readonly kind: 'profile'; readonly profile: CustomerProfile }
  | { readonly kind: 'profile_deleted'; readonly customerId: string }
  | { readonly kind: 'alert'; readonly alert: FeedbackAlert };

export interface ParsedFeedback {
  readonly item: EnrichedFeedback;
}

/** One enriched event as the archive keeps it: a normalized NDJSON line, filed under its event day. */
export interface ArchiveEntry {
  readonly day: string;
  readonly line: string;
  /** The erasure marker names of its customer (see @vocflow/contracts erasureMarkersOf). */
  readonly markers?: readonly string[];
}
