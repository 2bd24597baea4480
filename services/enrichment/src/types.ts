import type {
  CustomerProfile,
  EnrichedFeedback,
  FeedbackAlert,
  NormalizedScores,
  ProfileSnapshot,
  RawFeedback,
  SentimentResult,
} from '@vocflow/contracts';

/** What each step adds, so the item's type grows along the pipeline. */
export interface Parsed {
  readonly raw: RawFeedback;
}
export interface Resolved extends Parsed {
  readonly customer: {
    readonly key: string;
    readonly profile: CustomerProfile | undefined;
    readonly snapshot: ProfileSnapshot | null;
  };
}
export interface Normalized extends Resolved {
  readonly normalized: NormalizedScores;
}
export interface Scored extends Normalized {
  readonly sentiment: SentimentResult | null;
}
export interface Segmented extends Scored {
  readonly segments: string[];
}
export interface Built extends Segmented {
  /** The record to produce: PII redacted, validated against the contract. */
  readonly enriched: EnrichedFeedback;
}

/** The pipeline's output for one message: what the sink writes. */
export interface EnrichmentOutput {
  readonly enriched: EnrichedFeedback;
  readonly alerts: readonly FeedbackAlert[];
  /** The customer is unknown but the item names one: park it in Redis until the profile arrives. */
  readonly awaitsProfile: boolean;
}

/** What every analyser offers; `@vocflow/analysis` implements it. */
export interface Analyzer {
  analyze(text: string): SentimentResult;
}
