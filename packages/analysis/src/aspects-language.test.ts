import { SentimentResult } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyzer.ts';

const aspect = (text: string, name: string) => analyze(text).aspects.find((a) => a.aspect === name);

describe('aspects', () => {
  it.each([
    ['price', 'Way too expensive for what you get.', 'negative', 'expensive'],
    ['price', 'Great value for money.', 'positive', 'value'],
    ['quality', 'The build quality is excellent.', 'positive', 'quality'],
    ['service', 'Customer service was rude and unhelpful.', 'negative', 'customer service'],
    ['service', 'The support team was very helpful.', 'positive', 'support'],
    ['delivery', 'Shipping was fast and the package arrived early.', 'positive', 'shipping'],
    ['delivery', 'The delivery was three weeks late.', 'negative', 'delivery'],
    ['usability', 'The interface is intuitive and easy to use.', 'positive', 'interface'],
    ['usability', 'The menus are confusing and clunky.', 'negative', 'menus'],
    ['reliability', 'The app crashes every time I open it.', 'negative', 'crashes'],
    ['reliability', 'Rock solid and reliable, never had a bug.', 'positive', 'reliable'],
    ['onboarding', 'The documentation is clear and the setup was painless.', 'positive', 'documentation'],
    ['onboarding', 'The instructions are useless.', 'negative', 'instructions'],
  ])('scores %s in "%s" %s, with its evidence', (name, text, label, word) => {
    const a = aspect(text, name);
    expect(a?.label).toBe(label);
    expect(a?.evidence).toContain(word);
  });

  it('scores each aspect from its own clause ("fast shipping but awful support")', () => {
    const r = analyze('Fast shipping, but the support was awful.');
    expect(r.aspects.find((a) => a.aspect === 'delivery')?.label).toBe('positive');
    expect(r.aspects.find((a) => a.aspect === 'service')?.label).toBe('negative');
  });

  it('reports no aspect when none is mentioned', () => {
    expect(analyze('I love it!').aspects).toEqual([]);
  });
});

describe('languages', () => {
  it.each([
    ['The product is great and the delivery was fast.', 'en'],
    ['Das Produkt ist sehr gut, aber die Lieferung war langsam.', 'de'],
    ["Le produit est très bien mais la livraison n'est pas rapide.", 'fr'],
    ['El producto es muy bueno pero el envío fue lento.', 'es'],
    ['Il prodotto è molto buono ma la consegna è stata lenta.', 'it'],
    ['O produto é muito bom mas a entrega foi lenta.', 'pt'],
    ['Het product is heel goed maar de bezorging was traag.', 'nl'],
    ['Очень хороший продукт', 'ru'],
    ['とても良い製品です', 'ja'],
  ])('detects the language of "%s" as %s', (text, language) => {
    expect(analyze(text).language).toBe(language);
  });

  it('scores English', () => {
    expect(analyze('I love it').supported).toBe(true);
  });

  it('marks another language unsupported: score 0, neutral, no aspects, rather than a guess', () => {
    expect(analyze('Das Produkt ist schlecht und die Lieferung war eine Katastrophe.')).toMatchObject({
      score: 0,
      label: 'neutral',
      language: 'de',
      supported: false,
      aspects: [],
    });
  });

  it("says 'und' for text with no language evidence, and scores it", () => {
    expect(analyze('12345')).toMatchObject({ language: 'und', supported: true });
  });
});

describe('result shape', () => {
  it.each(['Great value, but the app crashes and support never answered :(', 'Das ist gut.', '', '😍😍😍'])(
    'matches the SentimentResult contract for "%s"',
    (text) => {
      const r = analyze(text);
      expect(SentimentResult.safeParse(r).success).toBe(true);
      expect(r.confidence).toBeGreaterThanOrEqual(0);
      expect(r.confidence).toBeLessThanOrEqual(1);
    },
  );
});
