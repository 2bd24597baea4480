import { describe, expect, it } from 'vitest';
import { buildLexicon } from './lexicon.ts';
import { featureWeight, HAN_SPACE, Scan, scanText } from './scan.ts';
import { segmentHan } from './zh-segment.ts';

const han = (text: string): Uint16Array => Uint16Array.from(text, (c) => c.charCodeAt(0));

describe('Chinese word segmentation (jieba)', () => {
  it('cuts a run into words that add up to the run, our feedback words whole', () => {
    const run = '客服态度差等了三天没人理';
    const words = segmentHan(han(run), run.length);
    expect(words.join('')).toBe(run);
    expect(words).toEqual(expect.arrayContaining(['客服', '态度差', '没人理']));
  });

  it('reads only the first `length` characters of the buffer', () => {
    expect(segmentHan(han('很卡顿退款'), 3).join('')).toBe('很卡顿');
  });
});

describe('feature weights of the learned layer', () => {
  const lexicon = buildLexicon();
  const s = new Scan();

  it('Chinese features count whole before a contrast, English ones weigh as their clause', () => {
    scanText('质量很好，但是价格太贵', lexicon, s);
    expect(s.clauseWeight[s.featClause[0]!]).toBe(0.5);
    expect(s.feats[0]! & HAN_SPACE).toBe(HAN_SPACE);
    expect(featureWeight(s.feats[0]!, s.clauseWeight[s.featClause[0]!]!)).toBe(1);

    scanText('good quality but too expensive', lexicon, s);
    expect(s.feats[0]! & HAN_SPACE).toBe(0);
    expect(featureWeight(s.feats[0]!, s.clauseWeight[s.featClause[0]!]!)).toBe(0.5);
  });

  it('a jieba word adds features beyond characters, pairs, triples and dictionary words', () => {
    // 三天 is no dictionary word of ours: its character features alone would be 2 + 1 pair
    scanText('三天', lexicon, s);
    expect(s.nFeats).toBe(4);
  });
});
