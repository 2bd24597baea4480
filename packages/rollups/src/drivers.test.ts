import { describe, expect, it } from 'vitest';
import { driversOf } from './drivers.ts';
import { emptyAspect, emptyCounters } from './metrics.ts';

describe('driversOf', () => {
  it('gives share, mean sentiment, labels and the NPS gap per aspect, most negative impact first', () => {
    // 10 items, 8 scored for sentiment; NPS of the scope: (4 − 4) / 10 = 0.
    const counters = {
      ...emptyCounters(),
      count: 10,
      sentimentCount: 8,
      npsPromoters: 4,
      npsPassives: 2,
      npsDetractors: 4,
      aspects: {
        // 4 mentions, 3 detractors and 1 passive: NPS −75, gap −75, share 0.5, impact −37.5.
        price: {
          ...emptyAspect(),
          count: 4,
          sum: -2,
          negative: 3,
          neutral: 1,
          npsDetractors: 3,
          npsPassives: 1,
        },
        // 2 mentions, both promoters: NPS 100, gap 100, share 0.25, impact 25.
        service: { ...emptyAspect(), count: 2, sum: 1.5, positive: 2, npsPromoters: 2 },
        // 1 mention without an NPS answer: no gap, last.
        delivery: { ...emptyAspect(), count: 1, sum: -0.25, negative: 1 },
      },
    };
    expect(driversOf(counters)).toEqual({
      items: 10,
      analysed: 8,
      nps: 0,
      drivers: [
        {
          aspect: 'price',
          mentions: 4,
          share: 0.5,
          sentimentMean: -0.5,
          labels: { negative: 3, neutral: 1, positive: 0 },
          npsAnswers: { promoters: 0, passives: 1, detractors: 3 },
          nps: -75,
          npsGap: -75,
          impact: -37.5,
        },
        {
          aspect: 'service',
          mentions: 2,
          share: 0.25,
          sentimentMean: 0.75,
          labels: { negative: 0, neutral: 0, positive: 2 },
          npsAnswers: { promoters: 2, passives: 0, detractors: 0 },
          nps: 100,
          npsGap: 100,
          impact: 25,
        },
        {
          aspect: 'delivery',
          mentions: 1,
          share: 0.125,
          sentimentMean: -0.25,
          labels: { negative: 1, neutral: 0, positive: 0 },
          npsAnswers: { promoters: 0, passives: 0, detractors: 0 },
          nps: null,
          npsGap: null,
          impact: null,
        },
      ],
    });
  });

  it('has no gap when the scope has no NPS answers, and no drivers without mentions', () => {
    const counters = {
      ...emptyCounters(),
      count: 2,
      sentimentCount: 2,
      aspects: { price: { ...emptyAspect(), count: 1, sum: 0 }, quality: emptyAspect() },
    };
    const result = driversOf(counters);
    expect(result.nps).toBeNull();
    expect(result.drivers.map((d) => [d.aspect, d.npsGap, d.impact])).toEqual([['price', null, null]]);
  });
});
