import { describe, expect, it } from 'vitest';
import { analyze, createAnalyzer } from './analyzer.ts';

// The lexicon and rules alone (no learned layer), so every expectation follows from the rules.
const rules = createAnalyzer({ model: null });
const score = (text: string): number => rules.analyze(text).score;

describe('negation', () => {
  it('turns a positive word negative within its scope ("not good")', () => {
    expect(score('good')).toBeGreaterThan(0);
    expect(score('not good')).toBeLessThan(0);
    expect(rules.analyze("It's not good.").label).toBe('negative');
  });

  it('reaches over up to three words ("not very good at all")', () => {
    expect(score('not very good')).toBeLessThan(0);
  });

  it('makes a negated negative word only mildly positive ("not bad")', () => {
    expect(score('not bad')).toBeGreaterThan(0);
    expect(score('not bad')).toBeLessThan(score('good'));
  });

  it('reads contractions with and without apostrophes ("didn\'t work", "doesnt work")', () => {
    expect(score("It didn't work")).toBeLessThan(0);
    expect(score('it doesnt work')).toBeLessThan(0);
    expect(score('It didn’t work')).toBeLessThan(0);
  });

  it('treats "never again" and "no longer" as negative', () => {
    expect(score('never again')).toBeLessThan(0);
    expect(score('it no longer works')).toBeLessThan(0);
  });

  it('ends at a clause boundary', () => {
    expect(score('not sure, but good')).toBeGreaterThan(0);
  });

  it('is cancelled by "not only"', () => {
    expect(score('not only good')).toBeGreaterThan(0);
  });
});

describe('intensifiers and diminishers', () => {
  it('strengthens the next sentiment word ("very good" > "good")', () => {
    expect(score('very good')).toBeGreaterThan(score('good'));
    expect(score('extremely bad')).toBeLessThan(score('bad'));
  });

  it('softens the next sentiment word ("slightly disappointing", "a bit slow")', () => {
    expect(score('slightly disappointing')).toBeGreaterThan(score('disappointing'));
    expect(score('slightly disappointing')).toBeLessThan(0);
    expect(score('a bit slow')).toBeGreaterThan(score('slow'));
  });

  it('does not count "kind of" as kindness', () => {
    expect(score('kind of slow')).toBeLessThan(0);
    expect(score('kind of slow')).toBeGreaterThan(score('slow'));
  });
});

describe('contrast and concession', () => {
  it('weighs the clause after "but" more than the one before', () => {
    expect(score('The food was good but the service was terrible')).toBeLessThan(0);
    expect(score('The service was terrible but the food was good')).toBeGreaterThan(0);
  });

  it('does the same for "however"', () => {
    expect(score('Great design. However, it is very slow.')).toBeLessThan(0);
  });

  it('weighs an opening "although" clause less than the main clause', () => {
    expect(score('Although the price is awful, the quality is good')).toBeGreaterThan(0);
    expect(score('Although the quality is good, the price is awful')).toBeLessThan(0);
  });
});

describe('emoji, emoticons and emphasis', () => {
  it('scores emoji from the sentiment package’s emoji lexicon', () => {
    expect(score('😍')).toBeGreaterThan(0);
    expect(score('😡')).toBeLessThan(0);
    expect(score('delivery 👍')).toBeGreaterThan(0);
  });

  it('scores emoticons, happy and sad', () => {
    expect(score('arrived today :)')).toBeGreaterThan(0);
    expect(score('arrived today :-(')).toBeLessThan(0);
    expect(score('<3')).toBeGreaterThan(0);
    expect(score('thanks :D')).toBeGreaterThan(score('thanks'));
  });

  it('does not take a time of day or a URL for an emoticon', () => {
    expect(score('arrived at 10:30')).toBe(0);
    expect(score('see https://example.com')).toBe(0);
  });

  it('strengthens a sentence ending in exclamation marks', () => {
    expect(score('good!!')).toBeGreaterThan(score('good'));
    expect(score('awful!!!')).toBeLessThan(score('awful'));
  });

  it('strengthens an ALL-CAPS sentiment word in mixed-case text, not in all-caps text', () => {
    expect(score('The support is AWFUL')).toBeLessThan(score('The support is awful'));
    expect(score('THE SUPPORT IS AWFUL')).toBe(score('the support is awful'));
  });
});

describe('customer-feedback lexicon', () => {
  it.each([
    'I want a refund',
    'The screen arrived broken',
    'Delivery was late',
    'The app crashed',
    'I will cancel my subscription',
    'I was on hold for an hour',
    'What a waste of money',
    'The package never arrived',
  ])('scores "%s" negative', (text) => {
    expect(score(text)).toBeLessThan(0);
  });

  it.each(['Very intuitive and reliable', 'Works great', 'Affordable and sturdy', 'No problems at all'])(
    'scores "%s" positive',
    (text) => {
      expect(score(text)).toBeGreaterThan(0);
    },
  );
});

describe('the shipped analyzer', () => {
  it.each([
    ['Not good at all.', 'negative'],
    ['The support team was fantastic and fixed it in minutes!', 'positive'],
    ['The app keeps crashing and I want a refund.', 'negative'],
    ['Great value for money, would recommend :)', 'positive'],
    ["Doesn't hold a charge.", 'negative'],
  ])('labels "%s" %s', (text, label) => {
    expect(analyze(text).label).toBe(label);
  });

  it('scores a text with no known word 0, neutral, instead of guessing', () => {
    const r = analyze('Zxqv plmk.');
    expect(r.score).toBe(0);
    expect(r.label).toBe('neutral');
  });

  it('scores an empty text neutral', () => {
    expect(analyze('')).toMatchObject({ score: 0, label: 'neutral', supported: true, aspects: [] });
  });
});
