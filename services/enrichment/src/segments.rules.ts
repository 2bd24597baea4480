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
  return trimPunctuation(
    value
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9._]+/g, '-'),
  ).slice(0, 64);
}

/**
 * Without leading and trailing `-`, `.`, `_`. A loop, not `/[-._]+$/`: that pattern retries from every
 * position of a long inner run of punctuation, quadratic in customer-supplied values.
 */
function trimPunctuation(text: string): string {
  const punctuation = (c: number) => c === 45 || c === 46 || c === 95;
  let start = 0;
  let end = text.length;
  while (start < end && punctuation(text.charCodeAt(start))) start++;
  while (end > start && punctuation(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
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
  /** The analyser's language (`en`, `zh`, `zh-Hant`, `und`); segments use the base language. */
  readonly language?: string | undefined;
}

/** Dimensions of the item itself; every other name in the list is a profile attribute. */
const ITEM_DIMENSIONS = ['channel', 'source', 'language'] as const;

/** Which attributes form automatic segments unless `SEGMENT_ATTRIBUTES` says otherwise. */
export const DEFAULT_SEGMENT_ATTRIBUTES: readonly string[] = [...PROFILE_FIELDS, ...ITEM_DIMENSIONS];
/** The most attributes `SEGMENT_ATTRIBUTES` may name (each multiplies the segments of every item). */
export const MAX_SEGMENT_ATTRIBUTES = 20;

/** Words that make an attribute name identify a person or a record rather than describe a group. */
const IDENTIFYING_WORDS = new Set([
  'id',
  'ids',
  'uuid',
  'guid',
  'email',
  'mail',
  'phone',
  'mobile',
  'tel',
  'telephone',
  'fax',
  'msisdn',
  'ssn',
  'passport',
  'iban',
  'handle',
  'username',
  'login',
  'token',
  'password',
  'secret',
  'ip',
  'address',
  'url',
]);

/** Names that hold a person's name. */
const PERSON_NAMES = new Set(['name', 'firstname', 'lastname', 'fullname', 'contactname', 'displayname']);

/**
 * Whether an attribute name looks like it holds an id, an email, a phone number or another
 * identifier (`id`, `user_id`, `customerId`, `e-mail`, `contactEmail`, `mobile_phone`, `phone2`).
 */
export function isIdentifyingName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/e-mail/g, 'email')
    .split(/[^a-z]+/)
    .filter((w) => w !== '');
  if (PERSON_NAMES.has(words.join(''))) return true;
  return words.some((w) => IDENTIFYING_WORDS.has(w) || w.endsWith('email') || w.endsWith('phone'));
}

/** Values longer than this never form a segment (free text, not a group). */
export const MAX_SEGMENT_VALUE_CHARS = 256;

const EMAIL_LIKE = /[^\s@]@[^\s@]/;
const UUID_LIKE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i;
const HEX_LIKE = /[0-9a-f]{16}/i;

/**
 * Whether a value looks like an identifier rather than a group: an email address, a phone number,
 * a UUID or long hex string, or anything with six or more digits (account numbers, `cus_123456`).
 */
export function isIdentifyingValue(value: string): boolean {
  if (value.length > MAX_SEGMENT_VALUE_CHARS) return true;
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += 1;
  }
  return digits >= 6 || EMAIL_LIKE.test(value) || UUID_LIKE.test(value) || HEX_LIKE.test(value);
}

/** `SEGMENT_ATTRIBUTES` checked: the problem with each name that may not form segments. */
export function segmentAttributeProblems(names: readonly string[]): string[] {
  const problems: string[] = [];
  if (names.length > MAX_SEGMENT_ATTRIBUTES) problems.push(`at most ${MAX_SEGMENT_ATTRIBUTES} attributes`);
  for (const name of names) {
    const bare = name.startsWith('attributes.') ? name.slice('attributes.'.length) : name;
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,127}$/.test(bare)) problems.push(`"${name}" is not an attribute name`);
    else if (isIdentifyingName(bare))
      problems.push(`"${name}" looks like an id, email or phone number and may not form segments`);
  }
  return problems;
}

/** `zh-Hant` → `zh`; `und` and empty → none. */
export function baseLanguage(language: string | undefined): string | undefined {
  const base = language?.split(/[-_]/)[0]?.toLowerCase();
  return base && base !== 'und' ? base : undefined;
}

/**
 * Every segment an item counts in: one per listed attribute that has a value (`channel:survey`,
 * `source:typeform`, `language:zh`, `tier:enterprise`, `region:emea`, `<attribute>:<value>` for the
 * listed free-form attributes holding a string or boolean), and the configured rules that match the
 * profile. Values are slugged (lowercase ASCII, at most 64 characters); attributes named like ids,
 * emails or phone numbers, and values that look like them, form none. Sorted, unique.
 */
export function segmentsFor(
  rules: readonly SegmentRule[],
  input: SegmentInput,
  attributes: readonly string[] = DEFAULT_SEGMENT_ATTRIBUTES,
): string[] {
  const out = new Set<string>();
  const add = (name: string, value: string) => {
    if (isIdentifyingName(name) || isIdentifyingValue(value)) return;
    const n = slug(name);
    const v = slug(value);
    if (n && v) out.add(`${n}:${v}`);
  };
  const profile = input.profile;
  for (const attribute of attributes) {
    if (attribute === 'channel') add('channel', input.channel);
    else if (attribute === 'source') add('source', input.source);
    else if (attribute === 'language') {
      const language = baseLanguage(input.language);
      if (language) add('language', language);
    } else if (profile) {
      const value = profileAttribute(profile, attribute);
      const name = attribute.startsWith('attributes.') ? attribute.slice('attributes.'.length) : attribute;
      if (typeof value === 'string' && value.trim() !== '') add(name, value);
      else if (typeof value === 'boolean') add(name, String(value));
    }
  }
  if (profile) {
    for (const rule of rules) {
      if (matches(rule.match, (attribute) => profileAttribute(profile, attribute))) out.add(rule.id);
    }
  }
  return [...out].sort();
}
