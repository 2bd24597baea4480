import { describe, expect, it } from 'vitest';
import { createLatencyRecorder, interleave, median, ratio } from './stats.ts';

describe('latency recorder', () => {
  it('reports percentiles within 1 % of the exact value', () => {
    const recorder = createLatencyRecorder();
    const values: number[] = [];
    for (let i = 1; i <= 10_000; i += 1) {
      const ms = i / 10;
      values.push(ms);
      recorder.record(ms);
    }
    expect(recorder.count).toBe(10_000);
    for (const p of [50, 95, 99]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1]!;
      expect(Math.abs(recorder.percentile(p) - exact) / exact).toBeLessThan(0.01);
    }
    expect(recorder.max()).toBe(1000);
  });

  it('merges recorders as if every sample had been recorded once', () => {
    const a = createLatencyRecorder();
    const b = createLatencyRecorder();
    for (let i = 0; i < 100; i += 1) a.record(1);
    for (let i = 0; i < 100; i += 1) b.record(100);
    a.merge(b);
    expect(a.count).toBe(200);
    expect(a.percentile(25)).toBeLessThan(1.1);
    expect(a.percentile(99)).toBeGreaterThan(99);
  });

  it('answers NaN when nothing was recorded', () => {
    expect(createLatencyRecorder().percentile(99)).toBeNaN();
  });
});

describe('summaries', () => {
  it('takes the median of finite samples only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN, 5])).toBe(5);
    expect(median([])).toBeNaN();
  });

  it('gives no ratio when a side is missing', () => {
    expect(ratio(1, 2)).toBe(0.5);
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(1, 0)).toBeNull();
  });

  it('interleaves variants run by run', async () => {
    const order: string[] = [];
    const samples = await interleave(2, {
      a: async () => order.push('a'),
      b: async () => order.push('b'),
    });
    expect(order).toEqual(['a', 'b', 'a', 'b']);
    expect(samples.a).toHaveLength(2);
  });
});
