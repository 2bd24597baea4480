import { describe, expect, it } from 'vitest';
import { extractCount } from './pipeline.ts';

describe('overview count', () => {
  it('reads the count from the query API overview', () => {
    expect(extractCount({ totals: { counts: { count: 42 }, metrics: { nps: 10 } }, channels: {} })).toBe(42);
  });

  it('is undefined when the answer has no count', () => {
    expect(extractCount({ totals: { metrics: {} } })).toBeUndefined();
  });
});
