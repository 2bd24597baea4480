import { z } from 'zod';
import { Instant } from './common.schema.ts';

/** Where in the pipeline a record was given up on. */
export const DlqStage = z.enum([
  'ingest',
  'hydration',
  'enrichment',
  'aggregation',
  'archive',
  'alerts',
  'replay',
]);
export type DlqStage = z.infer<typeof DlqStage>;

/**
 * `feedback.dlq.v1`: one record per bad event, with everything needed to understand and replay it.
 * The original key, value and headers are kept byte for byte (base64).
 */
export const DlqRecord = z
  .object({
    schema: z.literal('feedback.dlq.v1'),
    stage: DlqStage,
    /** Stable machine-readable reason: `invalid_schema`, `retries_exhausted`, `hydration_failed`, … */
    reason: z.string().min(1),
    /** The step that gave up. */
    step: z.string().min(1),
    /** Human-readable detail (validation issues, error message). Never customer free text. */
    detail: z.string().max(8192).optional(),
    issues: z.array(z.object({ path: z.string(), message: z.string() }).strict()).optional(),
    attempts: z.number().int().positive(),
    origin: z
      .object({
        topic: z.string(),
        partition: z.number().int().nonnegative(),
        offset: z.string(),
        timestamp: z.string().optional(),
      })
      .strict(),
    original: z
      .object({
        key: z.string().nullable(),
        value: z.string().nullable(),
        headers: z.record(z.string(), z.string()),
      })
      .strict(),
    feedbackId: z.string().optional(),
    service: z.string(),
    failedAt: Instant,
  })
  .strict();
export type DlqRecord = z.infer<typeof DlqRecord>;
