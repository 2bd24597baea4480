import { describe, expect, it } from 'vitest';
import { adaptMentions, eventInstant, GenericFeedback } from './own-formats.adapter.ts';

const context = { receivedAt: '2026-11-30T12:00:00.000Z', mappings: {} };

const generic = (occurredAt: string) => ({
  id: 'g-1',
  kind: 'survey_response',
  occurredAt,
  customer: { id: 'cus-1' },
  scores: { nps: 9 },
});

describe('the generic occurredAt', () => {
  it('accepts a day (midnight UTC), a time without an offset (UTC) and a time with an offset', () => {
    const at = (value: string) => {
      const parsed = GenericFeedback.safeParse(generic(value));
      return parsed.success ? parsed.data.occurredAt : parsed.error.issues[0]?.message;
    };
    expect(at('2026-11-30')).toBe('2026-11-30T00:00:00.000Z');
    expect(at('2026-11-30T08:15')).toBe('2026-11-30T08:15:00.000Z');
    expect(at('2026-11-30T08:15:30')).toBe('2026-11-30T08:15:30.000Z');
    expect(at('2026-11-30T08:15:30+01:00')).toBe('2026-11-30T07:15:30.000Z');
    expect(at('2026-11-30T08:15:30.5Z')).toBe('2026-11-30T08:15:30.500Z');
  });

  it('refuses other text with a message that shows the accepted forms', () => {
    for (const bad of ['30/11/2026', '2026-02-30', 'yesterday', '2026-11-30 08:15', '2026-11-30T25:00']) {
      const parsed = GenericFeedback.safeParse(generic(bad));
      expect(parsed.success, bad).toBe(false);
      if (!parsed.success)
        expect(parsed.error.issues[0]?.message).toContain('a day (2026-11-30, midnight UTC)');
    }
  });

  it('eventInstant never depends on the machine time zone', () => {
    expect(eventInstant('2026-06-01T00:00')).toBe('2026-06-01T00:00:00.000Z');
  });
});

describe('a mention', () => {
  const mention = { platform: 'X', handle: '@ann', text: 'love it', postedAt: '2026-11-29T10:00:00Z' };

  it('is accepted with an id and no url; the id is its identity', () => {
    const adapted = adaptMentions([{ ...mention, id: '1860000000000000001' }], false, context);
    expect(adapted.ok).toBe(true);
    if (!adapted.ok) return;
    expect(adapted.records[0]?.providerResponseId).toBe('1860000000000000001');
    expect(adapted.records[0]?.attributes).not.toHaveProperty('url');
  });

  it('needs an id or a url', () => {
    const adapted = adaptMentions([mention], false, context);
    expect(adapted.ok).toBe(false);
    if (adapted.ok) return;
    expect(adapted.issues.map((i) => i.message).join()).toContain('give the id of the post or its url');
  });
});
