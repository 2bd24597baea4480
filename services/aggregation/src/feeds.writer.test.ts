import { describe, expect, it } from 'vitest';
import { boundedManifestDays } from './feeds.writer.ts';

describe('feeds manifest', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');

  it('lists only the days whose day buckets are still kept, sorted', () => {
    const days = {
      '2026-12-01': 'today',
      '0001-01-01': 'absurd',
      '2023-12-01': 'too old',
      '2023-12-02': 'oldest kept',
      '2026-12-02': 'tomorrow',
      '9999-12-31': 'absurd future',
      'not-a-day': 'junk',
    };
    expect(boundedManifestDays(days, now, 1_095)).toEqual({
      '2023-12-02': 'oldest kept',
      '2026-12-01': 'today',
      '2026-12-02': 'tomorrow',
    });
  });

  it('stays bounded however many days were ever written', () => {
    const many = Object.fromEntries(
      Array.from({ length: 5_000 }, (_, i) => [new Date(now - i * 86_400_000).toISOString().slice(0, 10), i]),
    );
    expect(Object.keys(boundedManifestDays(many, now, 30))).toHaveLength(31);
  });
});
