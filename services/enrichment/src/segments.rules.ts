import type { ProfileSnapshot } from '@vocflow/contracts';
import { z } from 'zod';
import { type AttributeValue, Condition, matches } from './conditions.rules.ts';

/**
 * Segment ids are safe in Redis keys and URLs: lowercase ASCII letters, digits, `.`, `_` and `-`.
 * Automatic segments join a name and a value with `:` (`tier:enterprise`); configured segments may
 * not contain `:`, so the two never collide.
 */
export const SEGMENT_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const SegmentRule = z
  .object({
    id: z.string().regex(SEGMENT_ID, 'lowercase letters, digits, ".", "_" or "-", at most 64, no ":"'),
    name: z.string().min(1).max(256).optional(),
    match: Condition,
  })
  .strict();
export type SegmentRule = z.infer<typeof SegmentRule>;

export const SegmentRules = z
  .object({ segments: z.array(SegmentRule) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.segments.forEach((segment, i) => {
      if (seen.has(segment.id))
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i, 'id'],
          message: `duplicate segment id "${segment.id}"`,
        });
      seen.add(segment.id);
    });
  });
export type SegmentRules = z.infer<typeof SegmentRules>;

const PROFILE_FIELDS = ['tier', 'region', 'industry', 'plan'] as const;

/** `Enterprise EMEA` → `enterprise-emea`: lowercase ASCII, accents dropped, other runs become `-`. */
export function slug(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._]+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 64);
}

/** A profile's attributes by name: the standard fields first, then free-form `attributes`. */
export function profileAttribute(profile: ProfileSnapshot, attribute: string): AttributeValue {
  const name = attribute.startsWith('attributes.') ? attribute.slice('attributes.'.length) : attribute;
  if (name !== attribute) return profile.attributes[name];
  if ((PROFILE_FIELDS as readonly string[]).includes(name) || name === 'name')
    return profile[name as (typeof PROFILE_FIELDS)[number] | 'name'];
  return profile.attributes[name];
}

export interface SegmentInput {
  readonly profile: ProfileSnapshot | null;
  readonly channel: string;
  readonly source: string;
}

/**
 * Every segment an item counts in: `channel:<channel>`, `source:<source>`, one per profile attribute
 * value (`tier:enterprise`, `region:emea`, `<attribute>:<value>` for string and boolean attributes;
 * numbers and nulls form none), and the configured rules that match the profile. Sorted, unique.
 */
export function segmentsFor(rules: readonly SegmentRule[], input: SegmentInput): string[] {
  const out = new Set<string>();
  const add = (name: string, value: string) => {
    const n = slug(name);
    const v = slug(value);
    if (n && v) out.add(`${n}:${v}`);
  };
  add('channel', input.channel);
  add('source', input.source);
  const profile = input.profile;
  if (profile) {
    for (const field of PROFILE_FIELDS) {
      const value = profile[field];
      if (value) add(field, value);
    }
    for (const [name, value] of Object.entries(profile.attributes)) {
      if (typeof value === 'string' && value.trim() !== '') add(name, value);
      else if (typeof value === 'boolean') add(name, String(value));
    }
    for (const rule of rules) {
      if (matches(rule.match, (attribute) => profileAttribute(profile, attribute))) out.add(rule.id);
    }
  }
  return [...out].sort();
}
