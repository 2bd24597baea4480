import { describe, expect, it } from 'vitest';
import { type Evaluation, evaluate, qualityRegressions, readQualityRecord } from './evaluate.ts';

// The full protocol (10 CV folds, 3 cross-domain models, rules alone) takes a few seconds.
describe('quality guard on the UCI sentiment sentences', () => {
  const recorded = readQualityRecord();
  let current: Evaluation;

  it('keeps cross-validated and rules-only accuracy within one point of quality.json, neutral ≤ 10 %', () => {
    current = evaluate(undefined, { shipped: false });
    expect(qualityRegressions(current, recorded)).toEqual([]);
  }, 60_000);

  it('still meets the target: ≥ 0.85 cross-validated accuracy and < 10 % neutral on every set', () => {
    for (const m of Object.values(current.crossValidated)) {
      expect(m.accuracy).toBeGreaterThanOrEqual(0.85);
      expect(m.neutralShare).toBeLessThan(0.1);
    }
  });

  it('reports an accuracy drop of more than one point as a regression', () => {
    const worse = structuredClone(recorded);
    worse.crossValidated.imdb.accuracy -= 0.011;
    expect(qualityRegressions(worse, recorded)).toEqual([
      expect.stringContaining('crossValidated imdb: accuracy'),
    ]);
  });

  it('reports a neutral share above 10 % as a regression', () => {
    const worse = structuredClone(recorded);
    worse.crossValidated.yelp.neutralShare = 0.12;
    expect(qualityRegressions(worse, recorded)).toEqual([expect.stringContaining('yelp: neutral share')]);
  });

  it('tolerates a drop within one point', () => {
    const close = structuredClone(recorded);
    close.rules.amazon.accuracy -= 0.009;
    expect(qualityRegressions(close, recorded)).toEqual([]);
  });
});
