import type { ContractIssue } from './codec.ts';

/**
 * Limits on what a feedback item or a profile may carry, shared by ingest (which refuses with 400)
 * and the workers (which send a record that got past an older ingest to the DLQ). Each bounds how
 * many keys a record can create downstream: channels and event times become rollup buckets, feed
 * days and segment ids.
 */

/** The channels a feedback item may name; every other value counts as `other`. */
export const DEFAULT_CHANNELS = [
  'survey',
  'email',
  'sms',
  'web',
  'in_app',
  'support',
  'chat',
  'phone',
  'interview',
  'social',
  'review',
  'community',
  'sales',
  'other',
] as const;

/** The channel of anything outside the vocabulary. */
export const OTHER_CHANNEL = 'other';
/** The attribute that keeps a channel replaced by `other`. */
export const ORIGINAL_CHANNEL_ATTRIBUTE = 'channel_original';
/** A channel name: lowercase ASCII letters, digits and `_`. */
export const CHANNEL_NAME = /^[a-z0-9_]{1,32}$/;
/** The most channels a vocabulary may hold (each one is a counter in every rollup bucket). */
export const MAX_CHANNELS = 100;

/** `In-App ` → `in_app`: how a provider's spelling is compared with the vocabulary. */
export function channelKey(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/**
 * The channel an item counts under: its own when the vocabulary has it (after `channelKey`),
 * otherwise `other` with the value it came with kept in `original`.
 */
export function normalizeChannel(
  value: string,
  vocabulary: ReadonlySet<string>,
): { readonly channel: string; readonly original?: string } {
  const key = channelKey(value);
  if (vocabulary.has(key)) return { channel: key };
  return { channel: OTHER_CHANNEL, original: value };
}

/** A vocabulary from a configured list: every name valid, `other` always included. */
export function channelVocabulary(names: readonly string[] = DEFAULT_CHANNELS): ReadonlySet<string> {
  const bad = names.filter((n) => !CHANNEL_NAME.test(n));
  if (bad.length > 0)
    throw new Error(`channel names must be lowercase letters, digits or "_" (at most 32): ${bad.join(', ')}`);
  const vocabulary = new Set([...names, OTHER_CHANNEL]);
  if (vocabulary.size > MAX_CHANNELS) throw new Error(`at most ${MAX_CHANNELS} channels`);
  return vocabulary;
}

/** How far back an event time may lie before the moment the item was received (10 years). */
export const DEFAULT_MAX_EVENT_AGE_DAYS = 3_650;
/** How far ahead of its receipt an event time may lie (clock skew, time zones). */
export const MAX_EVENT_LEAD_MS = 24 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Why an event time is refused, or undefined when it lies in
 * [receivedAt − maxAgeDays, receivedAt + 1 day]. Judged against when the item was received, not the
 * clock now, so a record is judged the same way at ingest and on every replay.
 */
export function eventTimeIssue(
  occurredAt: string,
  receivedAt: string,
  maxAgeDays: number = DEFAULT_MAX_EVENT_AGE_DAYS,
): ContractIssue | undefined {
  const at = Date.parse(occurredAt);
  const received = Date.parse(receivedAt);
  if (Number.isNaN(at)) return { path: 'occurredAt', message: 'not a valid date-time' };
  if (Number.isNaN(received)) return { path: 'receivedAt', message: 'not a valid date-time' };
  if (at < received - maxAgeDays * DAY_MS)
    return {
      path: 'occurredAt',
      message: `event time ${occurredAt} is more than ${maxAgeDays} days in the past (MAX_EVENT_AGE_DAYS)`,
    };
  if (at > received + MAX_EVENT_LEAD_MS)
    return { path: 'occurredAt', message: `event time ${occurredAt} is more than 1 day in the future` };
  return undefined;
}

/** The most free-form attributes a customer profile may carry. */
export const MAX_PROFILE_ATTRIBUTES = 100;
/** The longest string value of a profile attribute. */
export const MAX_PROFILE_ATTRIBUTE_CHARS = 256;
