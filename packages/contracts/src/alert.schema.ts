import { z } from 'zod';
import { Instant } from './common.schema.ts';

/** `feedback.alerts.v1`, keyed by `feedbackId`: one per (feedback version, rule) that fired. */
export const FeedbackAlert = z
  .object({
    schema: z.literal('feedback.alerts.v1'),
    alertId: z.string().min(1),
    rule: z.string().min(1),
    severity: z.enum(['info', 'warning', 'critical']),
    feedbackId: z.string().min(1),
    version: z.number().int().nonnegative(),
    customerKey: z.string(),
    segments: z.array(z.string()),
    source: z.string(),
    channel: z.string(),
    nps: z.number().int().min(0).max(10).optional(),
    sentimentScore: z.number().min(-1).max(1).optional(),
    /** A short, PII-redacted excerpt of the feedback text. */
    excerpt: z.string().max(500).optional(),
    occurredAt: Instant,
    createdAt: Instant,
  })
  .strict();
export type FeedbackAlert = z.infer<typeof FeedbackAlert>;
