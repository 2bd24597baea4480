import { z } from 'zod';
import { Attributes, CustomerRef, FeedbackKind, FeedbackSource, Instant, Scores } from './common.schema.ts';
import { Answer, TextPart } from './feedback-raw.schema.ts';

export const SentimentLabel = z.enum(['negative', 'neutral', 'positive']);
export type SentimentLabel = z.infer<typeof SentimentLabel>;

export const AspectSentiment = z
  .object({
    aspect: z.string().min(1),
    score: z.number().min(-1).max(1),
    label: SentimentLabel,
    /** The words that mentioned the aspect. */
    evidence: z.array(z.string()),
  })
  .strict();
export type AspectSentiment = z.infer<typeof AspectSentiment>;

export const SentimentResult = z
  .object({
    score: z.number().min(-1).max(1),
    label: SentimentLabel,
    confidence: z.number().min(0).max(1),
    /** ISO 639-1 code (`zh-Hant` for Chinese in Traditional script), or `und` when it cannot be told. */
    language: z.string(),
    /** False when the language is not scored (the score is then 0 and the label neutral). */
    supported: z.boolean(),
    aspects: z.array(AspectSentiment),
    analyzerVersion: z.string(),
  })
  .strict();
export type SentimentResult = z.infer<typeof SentimentResult>;

export const NpsCategory = z.enum(['promoter', 'passive', 'detractor']);
export type NpsCategory = z.infer<typeof NpsCategory>;

/** Scores normalized exactly as README.md ("Metrics, defined exactly") defines them. */
export const NormalizedScores = z
  .object({
    nps: z
      .object({ score: z.number().int().min(0).max(10), category: NpsCategory })
      .strict()
      .optional(),
    csat: z
      .object({ score: z.number().min(1).max(5), satisfied: z.boolean() })
      .strict()
      .optional(),
    ces: z
      .object({ score: z.number().min(1).max(7) })
      .strict()
      .optional(),
  })
  .strict();
export type NormalizedScores = z.infer<typeof NormalizedScores>;

/** The profile fields that travel with an enriched item (no contact details). */
export const ProfileSnapshot = z
  .object({
    name: z.string().optional(),
    tier: z.string().optional(),
    region: z.string().optional(),
    industry: z.string().optional(),
    plan: z.string().optional(),
    attributes: Attributes.default({}),
  })
  .strict();
export type ProfileSnapshot = z.infer<typeof ProfileSnapshot>;

/** Rollups count feedback whose customer is not (yet) known under this customer key. */
export const UNKNOWN_CUSTOMER = 'unknown';

/**
 * `feedback.enriched.v1`, keyed by `feedbackId`. Versions of one item are ordered by
 * (`version`, `revision`): `version` is the provider's, `revision` grows when enrichment re-emits the
 * same version with new context (the customer linked after its profile arrived).
 */
export const EnrichedFeedback = z
  .object({
    schema: z.literal('feedback.enriched.v1'),
    feedbackId: z.string().min(1).max(128),
    version: z.number().int().nonnegative(),
    revision: z.number().int().nonnegative(),
    kind: FeedbackKind,
    source: FeedbackSource,
    channel: z.string().min(1),
    formId: z.string().optional(),
    providerResponseId: z.string().min(1),
    occurredAt: Instant,
    receivedAt: Instant,
    enrichedAt: Instant,
    customer: z
      .object({
        ref: CustomerRef,
        /** The resolved customer id, or `unknown`. */
        key: z.string().min(1),
        profile: ProfileSnapshot.nullable(),
      })
      .strict(),
    scores: Scores,
    normalized: NormalizedScores,
    sentiment: SentimentResult.nullable(),
    /** Free text after PII redaction. */
    texts: z.array(TextPart),
    answers: z.array(Answer),
    /** Every segment the item counts in (`tier:enterprise`, `channel:survey`, rule ids). */
    segments: z.array(z.string().min(1)),
    attributes: Attributes.default({}),
  })
  .strict();
export type EnrichedFeedback = z.infer<typeof EnrichedFeedback>;
