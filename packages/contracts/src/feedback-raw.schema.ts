import { z } from 'zod';
import { Attributes, CustomerRef, FeedbackKind, FeedbackSource, Instant, Scores } from './common.schema.ts';

/** What a mapping says an answer means. */
export const AnswerRole = z.enum(['nps', 'csat', 'ces', 'comment']);
export type AnswerRole = z.infer<typeof AnswerRole>;

export const AnswerValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string()), z.null()]);
export type AnswerValue = z.infer<typeof AnswerValue>;

/** One answer as the provider gave it, with the role the mapping assigned (if any). */
export const Answer = z
  .object({
    questionId: z.string().min(1),
    type: z.string().min(1),
    title: z.string().optional(),
    value: AnswerValue,
    role: AnswerRole.optional(),
  })
  .strict();
export type Answer = z.infer<typeof Answer>;

/** A piece of free text that belongs to the item (a comment answer, interview notes, a mention). */
export const TextPart = z
  .object({
    field: z.string().min(1),
    text: z.string(),
  })
  .strict();
export type TextPart = z.infer<typeof TextPart>;

/**
 * Providers that send only ids (SurveyMonkey, Qualtrics): ingest records the envelope at once and
 * the hydrate step fetches the full response from the provider's API before enrichment.
 */
export const Hydration = z
  .object({
    provider: z.enum(['surveymonkey', 'qualtrics']),
    status: z.enum(['pending', 'done']),
    /** Provider ids needed to fetch the response (survey id, response id, …). */
    ref: z.record(z.string(), z.string()),
  })
  .strict();
export type Hydration = z.infer<typeof Hydration>;

/** The original request, kept for audit and replay. */
export const OriginalBody = z
  .object({
    contentType: z.string(),
    body: z.string(),
  })
  .strict();
export type OriginalBody = z.infer<typeof OriginalBody>;

/**
 * `feedback.raw.v1`, keyed by the customer reference. One record per delivery of one feedback item.
 * `feedbackId` is stable across retries and across the versions of one response; `version` orders
 * those versions (higher wins).
 */
export const RawFeedback = z
  .object({
    schema: z.literal('feedback.raw.v1'),
    feedbackId: z.string().min(1).max(128),
    version: z.number().int().nonnegative(),
    kind: FeedbackKind,
    source: FeedbackSource,
    channel: z.string().min(1).max(64),
    /** The provider's form / survey id, when there is one (selects the mapping). */
    formId: z.string().optional(),
    /** The provider's own id of the response, mention or note. */
    providerResponseId: z.string().min(1),
    /** When the customer answered (event time, UTC). Buckets use this. */
    occurredAt: Instant,
    /** When ingest accepted the delivery. */
    receivedAt: Instant,
    customer: CustomerRef,
    answers: z.array(Answer),
    scores: Scores,
    texts: z.array(TextPart),
    attributes: Attributes.default({}),
    hydration: Hydration.optional(),
    original: OriginalBody.optional(),
  })
  .strict();
export type RawFeedback = z.infer<typeof RawFeedback>;
