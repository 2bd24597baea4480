import { describe, expect, it } from 'vitest';
import { parseRange } from './query-params.ts';
import { roundMetrics } from './rollup-queries.adapter.ts';

const buckets = (range: { from: Date; to: Date; granularity: 'hour' | 'day' }) =>
  (range.to.getTime() - range.from.getTime()) / (range.granularity === 'hour' ? 3_600_000 : 86_400_000);

describe('the default range', () => {
  const now = new Date('2026-12-01T18:42:10Z');

  it('is 30 day buckets, today the last one', () => {
    const range = parseRange({}, now);
    expect(buckets(range)).toBe(30);
    expect(range.from.toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(range.to.toISOString()).toBe('2026-12-02T00:00:00.000Z');
  });

  it('is 48 hour buckets by the hour, this hour the last one', () => {
    const range = parseRange({ granularity: 'hour' }, now);
    expect(buckets(range)).toBe(48);
    expect(range.from.toISOString()).toBe('2026-11-29T19:00:00.000Z');
  });

  it('is 30 days ending with a date given as `to`', () => {
    const range = parseRange({ to: '2026-11-30' }, now);
    expect(buckets(range)).toBe(30);
    expect(range.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('roundMetrics', () => {
  it('shows derived metrics with two decimals, as docs/api.md does', () => {
    expect(
      roundMetrics({ nps: -9.523809523809524, csatPercent: 100 / 3, cesMean: 2, sentimentMean: null }),
    ).toEqual({ nps: -9.52, csatPercent: 33.33, cesMean: 2, sentimentMean: null });
  });
});
