import { z } from 'zod';
import { Attributes, Instant } from './common.schema.ts';

/**
 * `customers.v1` (compacted), keyed by `id`. The latest record per key is the profile; a null value
 * (tombstone) deletes it.
 */
export const CustomerProfile = z
  .object({
    schema: z.literal('customers.v1'),
    id: z.string().min(1).max(256),
    email: z.string().min(3).max(320).optional(),
    name: z.string().max(512).optional(),
    tier: z.string().max(64).optional(),
    region: z.string().max(64).optional(),
    industry: z.string().max(128).optional(),
    plan: z.string().max(128).optional(),
    /** Social handles that identify this customer in mentions. */
    handles: z.array(z.string().min(1).max(256)).default([]),
    attributes: Attributes.default({}),
    updatedAt: Instant,
  })
  .strict();
export type CustomerProfile = z.infer<typeof CustomerProfile>;
