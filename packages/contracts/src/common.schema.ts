import { z } from 'zod';

/** ISO-8601 instant with an offset (`2026-11-22T08:00:00Z`), kept as the string it was. */
export const Instant = z.iso.datetime({ offset: true });
export type Instant = z.infer<typeof Instant>;

export const FeedbackKind = z.enum(['survey_response', 'interview_note', 'social_mention']);
export type FeedbackKind = z.infer<typeof FeedbackKind>;

/** Where a feedback item came in. Webhook providers, plus vocflow's own endpoints. */
export const FeedbackSource = z.enum([
  'typeform',
  'surveymonkey',
  'qualtrics',
  'formbricks',
  'tally',
  'delighted',
  'zendesk',
  'jotform',
  'generic',
  'interview',
  'mention',
]);
export type FeedbackSource = z.infer<typeof FeedbackSource>;

/** How a feedback item names its customer. At least one is usually present; none means `unknown`. */
export const CustomerRef = z
  .object({
    id: z.string().min(1).max(256).optional(),
    email: z.string().min(3).max(320).optional(),
    handle: z.string().min(1).max(256).optional(),
  })
  .strict();
export type CustomerRef = z.infer<typeof CustomerRef>;

export const NpsScore = z.number().int().min(0).max(10);
export const CsatScore = z.number().min(1).max(5);
export const CesScore = z.number().min(1).max(7);

/** Scores resolved at ingest from the source's mapping; CSAT already on the 1–5 scale. */
export const Scores = z
  .object({
    nps: NpsScore.optional(),
    csat: CsatScore.optional(),
    ces: CesScore.optional(),
  })
  .strict();
export type Scores = z.infer<typeof Scores>;

/** Free-form attributes: flat scalars only, so they can become segments and Parquet columns. */
export const Attributes = z.record(
  z.string().max(128),
  z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]),
);
export type Attributes = z.infer<typeof Attributes>;
