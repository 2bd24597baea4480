import { describe, expect, it } from 'vitest';
import { formatIssues } from './codec.ts';
import { CustomerProfile } from './customer.schema.ts';
import {
  channelKey,
  channelVocabulary,
  eventTimeIssue,
  MAX_PROFILE_ATTRIBUTE_CHARS,
  MAX_PROFILE_ATTRIBUTES,
  normalizeChannel,
} from './input-limits.ts';

describe('channel vocabulary', () => {
  const vocabulary = channelVocabulary();

  it('keeps a known channel, spelled as providers do', () => {
    expect(normalizeChannel('email', vocabulary)).toEqual({ channel: 'email' });
    expect(normalizeChannel(' In-App ', vocabulary)).toEqual({ channel: 'in_app' });
    expect(channelKey('Live Chat')).toBe('live_chat');
  });

  it('counts anything else as other and keeps the value it came with', () => {
    expect(normalizeChannel('carrier-pigeon-42', vocabulary)).toEqual({
      channel: 'other',
      original: 'carrier-pigeon-42',
    });
    expect(normalizeChannel('微信', vocabulary)).toEqual({ channel: 'other', original: '微信' });
  });

  it('builds a configured vocabulary with other always in it, and refuses bad names', () => {
    const custom = channelVocabulary(['kiosk', 'email']);
    expect([...custom].sort()).toEqual(['email', 'kiosk', 'other']);
    expect(normalizeChannel('survey', custom)).toEqual({ channel: 'other', original: 'survey' });
    expect(() => channelVocabulary(['Bad Name'])).toThrow(/lowercase/);
    expect(() => channelVocabulary(Array.from({ length: 100 }, (_, i) => `c${i}`))).toThrow(/at most 100/);
  });
});

describe('event time window', () => {
  const received = '2026-12-01T12:00:00.000Z';

  it('accepts times from maxAgeDays before receipt to one day after', () => {
    expect(eventTimeIssue('2016-12-04T00:00:00Z', received)).toBeUndefined();
    expect(eventTimeIssue('2026-12-02T11:59:59Z', received)).toBeUndefined();
    expect(eventTimeIssue('2026-11-01T00:00:00Z', received, 31)).toBeUndefined();
  });

  it('refuses absurd dates with the field path', () => {
    expect(eventTimeIssue('9999-12-31T00:00:00Z', received)).toMatchObject({
      path: 'occurredAt',
      message: expect.stringMatching(/future/),
    });
    expect(eventTimeIssue('0001-01-01T00:00:00Z', received)).toMatchObject({
      path: 'occurredAt',
      message: expect.stringMatching(/3650 days in the past/),
    });
    expect(eventTimeIssue('2026-12-02T12:00:01Z', received)).toBeDefined();
    expect(eventTimeIssue('2026-10-01T00:00:00Z', received, 30)).toBeDefined();
  });
});

describe('profile attribute caps', () => {
  const profile = (attributes: Record<string, unknown>) => ({
    schema: 'customers.v1',
    id: 'c1',
    attributes,
    updatedAt: '2026-12-01T00:00:00Z',
  });

  it(`accepts ${MAX_PROFILE_ATTRIBUTES} attributes of ${MAX_PROFILE_ATTRIBUTE_CHARS} characters`, () => {
    const attributes = Object.fromEntries(
      Array.from({ length: MAX_PROFILE_ATTRIBUTES }, (_, i) => [
        `a${i}`,
        'x'.repeat(MAX_PROFILE_ATTRIBUTE_CHARS),
      ]),
    );
    expect(CustomerProfile.safeParse(profile(attributes)).success).toBe(true);
  });

  it('refuses one attribute more, or one character more, naming the field', () => {
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, i]));
    const tooMany = CustomerProfile.safeParse(profile(many));
    expect(tooMany.success).toBe(false);
    expect(formatIssues(tooMany.error!.issues)).toEqual([
      { path: 'attributes', message: `at most ${MAX_PROFILE_ATTRIBUTES} attributes` },
    ]);
    const long = CustomerProfile.safeParse(profile({ note: 'x'.repeat(MAX_PROFILE_ATTRIBUTE_CHARS + 1) }));
    expect(long.success).toBe(false);
    expect(formatIssues(long.error!.issues).map((i) => i.path)).toEqual(['attributes.note']);
  });
});
