import { z } from 'zod';
import { Instant } from './common.schema.ts';
import { MAX_PROFILE_ATTRIBUTE_CHARS, MAX_PROFILE_ATTRIBUTES } from './input-limits.ts';

/**
 * A profile's free-form attributes: flat scalars, at most 100 of them, string values at most 256
 * characters (names at most 128). Profiles feed segments and every enriched record carries a
 * snapshot, so what one CRM record may hold is bounded here.
 */
export const ProfileAttributes = z
  .record(
    z.string().min(1).max(128),
    z.union([z.string().max(MAX_PROFILE_ATTRIBUTE_CHARS), z.number(), z.boolean(), z.null()]),
  )
  .refine((attributes) => Object.keys(attributes).length <= MAX_PROFILE_ATTRIBUTES, {
    message: `at most ${MAX_PROFILE_ATTRIBUTES} attributes`,
  });
export type ProfileAttributes = z.infer<typeof ProfileAttributes>;

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
    attributes: ProfileAttributes.default({}),
    updatedAt: Instant,
  })
  .strict();
export type CustomerProfile = z.infer<typeof CustomerProfile>;
