import { describe, expect, it } from 'vitest';
import { contributionOf, VERBATIM_MAX_CHARS } from './contribution.ts';
import { addPart, derive, emptyAspect, emptyCounters, toCounters } from './metrics.ts';
import { enrichedItem } from './test-items.ts';

describe('derive', () => {
  it('computes NPS as %promoters minus %detractors', () => {
    const counters = { ...emptyCounters(), npsPromoters: 5, npsPassives: 3, npsDetractors: 2 };
    expect(derive(counters).nps).toBe(30);
  });
  it('computes CSAT as satisfied over answered times 100 and the CES and sentiment means', () => {
    const counters = {
      ...emptyCounters(),
      csatSatisfied: 3,
      csatAnswered: 4,
      cesSum: 10,
      cesCount: 4,
      sentimentSum: -1,
      sentimentCount: 4,
    };
    expect(derive(counters)).toEqual({ nps: null, csatPercent: 75, cesMean: 2.5, sentimentMean: -0.25 });
  });
  it('gives null for every metric nothing answered', () => {
    expect(derive(emptyCounters())).toEqual({
      nps: null,
      csatPercent: null,
      cesMean: null,
      sentimentMean: null,
    });
  });
});

describe('contributionOf', () => {
  it('counts an item in overall, its customer and each distinct segment', () => {
    const c = contributionOf(
      enrichedItem({ segments: ['tier:enterprise', 'region:emea', 'tier:enterprise'] }),
    );
    expect(c.rollupIds).toEqual(['o', 'c:cust-1', 's:tier:enterprise', 's:region:emea']);
    expect(c.hour).toBe('2026-11-20T10');
    expect(c.day).toBe('2026-11-20');
  });
  it('buckets by event time in UTC even when the instant has an offset', () => {
    const c = contributionOf(enrichedItem({ occurredAt: '2026-11-21T00:30:00+02:00' }));
    expect(c.hour).toBe('2026-11-20T22');
    expect(c.day).toBe('2026-11-20');
  });
  it('turns scores, sentiment, aspects and channel into counters that read back exactly', () => {
    const c = contributionOf(
      enrichedItem({
        channel: 'email',
        normalized: {
          nps: { score: 4, category: 'detractor' },
          csat: { score: 4, satisfied: true },
          ces: { score: 3 },
        },
        sentiment: {
          score: -0.125,
          label: 'negative',
          confidence: 0.8,
          language: 'en',
          supported: true,
          aspects: [{ aspect: 'price', score: -0.5, label: 'negative', evidence: ['expensive'] }],
          analyzerVersion: 'test',
        },
      }),
    );
    const counters = toCounters(
      addPart({}, Object.fromEntries(Object.entries(c.fields).map(([k, v]) => [k, String(v)]))),
    );
    expect(counters).toEqual({
      ...emptyCounters(),
      count: 1,
      npsDetractors: 1,
      csatSatisfied: 1,
      csatAnswered: 1,
      cesSum: 3,
      cesCount: 1,
      sentimentSum: -0.125,
      sentimentCount: 1,
      sentimentNegative: 1,
      aspects: { price: { ...emptyAspect(), count: 1, sum: -0.5, negative: 1, npsDetractors: 1 } },
      channels: { email: 1 },
    });
  });
  it('keeps per aspect its label and the NPS class of the item, once per aspect', () => {
    const c = contributionOf(
      enrichedItem({
        normalized: { nps: { score: 8, category: 'passive' } },
        sentiment: {
          score: 0.2,
          label: 'positive',
          confidence: 0.8,
          language: 'en',
          supported: true,
          aspects: [
            { aspect: 'service', score: 0.5, label: 'positive', evidence: ['helpful'] },
            { aspect: 'delivery', score: -0.4, label: 'negative', evidence: ['late'] },
            { aspect: 'service', score: -0.9, label: 'negative', evidence: ['rude'] },
          ],
          analyzerVersion: 'test',
        },
      }),
    );
    const counters = toCounters(addPart({}, c.fields));
    expect(counters.aspects).toEqual({
      service: { ...emptyAspect(), count: 1, sum: 0.5, positive: 1, npsPassives: 1 },
      delivery: { ...emptyAspect(), count: 1, sum: -0.4, negative: 1, npsPassives: 1 },
    });
  });
  it('reads an aspect whose name holds a colon', () => {
    expect(toCounters({ 'a:x:y:n': 2, 'a:x:y:nd': 1 }).aspects).toEqual({
      'x:y': { ...emptyAspect(), count: 2, npsDetractors: 1 },
    });
  });
  it('keeps the redacted comment and lists it by item label and by each aspect and its label', () => {
    const c = contributionOf(
      enrichedItem({
        texts: [
          { field: 'comment', text: ' Too expensive, [email] ' },
          { field: 'other', text: '' },
        ],
        sentiment: {
          score: -0.5,
          label: 'negative',
          confidence: 0.8,
          language: 'en',
          supported: true,
          aspects: [{ aspect: 'price', score: -0.5, label: 'negative', evidence: ['expensive'] }],
          analyzerVersion: 'test',
        },
      }),
    );
    expect(c.verbatim).toEqual({
      body: {
        feedbackId: 'fb-1',
        version: 1,
        text: 'Too expensive, [email]',
        occurredAt: '2026-11-20T10:15:00.000Z',
        source: 'typeform',
        channel: 'survey',
        kind: 'survey_response',
        customerKey: 'cust-1',
        language: 'en',
        nps: 9,
        sentimentScore: -0.5,
        sentimentLabel: 'negative',
        aspects: [{ aspect: 'price', score: -0.5, label: 'negative' }],
      },
      lists: ['*|*', '*|negative', 'price|*', 'price|negative'],
    });
  });
  it('lists a comment in an unscored language only under any aspect and any label, and none without text', () => {
    const unscored = {
      score: 0,
      label: 'neutral' as const,
      confidence: 0,
      language: 'de',
      supported: false,
      aspects: [],
      analyzerVersion: 't',
    };
    const c = contributionOf(
      enrichedItem({ texts: [{ field: 'c', text: 'Zu teuer' }], sentiment: unscored }),
    );
    expect(c.verbatim?.lists).toEqual(['*|*']);
    expect(c.verbatim?.body).not.toHaveProperty('sentimentLabel');
    expect(contributionOf(enrichedItem({ texts: [{ field: 'c', text: '  ' }] }))).not.toHaveProperty(
      'verbatim',
    );
  });
  it('cuts a very long comment to the verbatim bound', () => {
    const c = contributionOf(
      enrichedItem({ texts: [{ field: 'c', text: 'x'.repeat(VERBATIM_MAX_CHARS + 10) }] }),
    );
    expect(c.verbatim?.body.text).toHaveLength(VERBATIM_MAX_CHARS);
    expect(c.verbatim?.body.text.endsWith('…')).toBe(true);
  });
  it('leaves sentiment out when the language was not scored', () => {
    const c = contributionOf(
      enrichedItem({
        sentiment: {
          score: 0,
          label: 'neutral',
          confidence: 0,
          language: 'und',
          supported: false,
          aspects: [],
          analyzerVersion: 't',
        },
      }),
    );
    expect(c.fields).not.toHaveProperty('sc');
    expect(c.summary).not.toHaveProperty('aspects');
  });
});
