import { describe, expect, it } from 'vitest';
import { analyze, createAnalyzer } from './analyzer.ts';

const rules = createAnalyzer({ model: null });

const aspect = (text: string, name: string) => analyze(text).aspects.find((a) => a.aspect === name);

describe('Chinese sentiment', () => {
  it('scores the example of the issue negative, in zh, with the service aspect', () => {
    const r = analyze('客服态度很差，等了三天都没人回复。');
    expect(r).toMatchObject({ label: 'negative', language: 'zh', supported: true });
    expect(r.aspects.map((a) => a.aspect)).toEqual(['service']);
    expect(aspect('客服态度很差，等了三天都没人回复。', 'service')?.label).toBe('negative');
  });

  it.each([
    ['质量很好，非常满意', 'positive'],
    ['太差了，再也不买了', 'negative'],
    ['不好', 'negative'],
    ['不错', 'positive'],
    ['不满意', 'negative'],
    ['东西不好用，很失望', 'negative'],
  ])('"%s" is %s', (text, label) => {
    expect(analyze(text).label).toBe(label);
  });

  it('negation turns a positive word negative (好 vs 不好, 喜欢 vs 不喜欢)', () => {
    expect(analyze('这个产品很好').score).toBeGreaterThan(0);
    expect(analyze('这个产品不好').score).toBeLessThan(0);
    expect(analyze('我不是很喜欢这个颜色').score).toBeLessThan(analyze('我很喜欢这个颜色').score);
  });

  it('“没有问题” is not a complaint', () => {
    expect(analyze('用了一个月，没有问题').label).not.toBe('negative');
  });

  it('contrast: what follows 但是 decides (虽然…但是)', () => {
    expect(analyze('虽然价格有点贵，但是质量非常好，很满意').label).toBe('positive');
    expect(analyze('虽然包装很漂亮，但是用了两天就坏了，很失望').label).toBe('negative');
  });

  it('degree words strengthen and soften in the rules (非常慢 < 慢 < 有点慢)', () => {
    expect(rules.analyze('非常慢').score).toBeLessThan(rules.analyze('慢').score);
    expect(rules.analyze('慢').score).toBeLessThan(rules.analyze('有点慢').score);
    expect(rules.analyze('有点慢').score).toBeLessThan(0);
  });

  it('negation in the rules: 不 turns 好 negative, 没有问题 is positive', () => {
    expect(rules.analyze('不是很好').score).toBeLessThan(0);
    expect(rules.analyze('没有问题').score).toBeGreaterThan(0);
  });

  it('reads Traditional script as zh-Hant and scores it like Simplified', () => {
    const traditional = analyze('客服態度很差');
    const simplified = analyze('客服态度很差');
    expect(traditional).toMatchObject({ language: 'zh-Hant', label: 'negative', supported: true });
    expect(simplified.language).toBe('zh');
    expect(traditional.score).toBe(simplified.score);
    expect(traditional.aspects[0]).toMatchObject({ aspect: 'service', evidence: ['客服', '態度'] });
  });

  it('scores mixed Chinese and English text instead of refusing it', () => {
    const r = analyze('App 很好用 but shipping was slow');
    expect(r.supported).toBe(true);
    expect(r.label).not.toBe('neutral');
    expect(aspect('App 很好用 but shipping was slow', 'usability')?.label).toBe('positive');
    expect(aspect('App 很好用 but shipping was slow', 'delivery')?.label).toBe('negative');
  });

  it('labels facts without an opinion neutral, in both languages', () => {
    for (const text of [
      '我周二下的单。',
      '快递是昨天下午到的。',
      'I ordered it on Tuesday.',
      'The box contains a cable.',
    ]) {
      expect(analyze(text).label, text).toBe('neutral');
    }
  });

  it('still refuses languages it does not score', () => {
    expect(analyze('このアプリはとても使いやすいです。')).toMatchObject({
      language: 'ja',
      supported: false,
      score: 0,
    });
    expect(analyze('배송이 너무 늦어요')).toMatchObject({ language: 'ko', supported: false });
  });
});

describe('Chinese aspects', () => {
  it.each([
    ['price', '价格太贵了', 'negative', '价格'],
    ['price', '性价比很高，非常划算', 'positive', '性价比'],
    ['quality', '做工很粗糙，质量很差', 'negative', '质量'],
    ['service', '售后服务很热情，很耐心', 'positive', '售后'],
    ['delivery', '物流太慢了，快递一个星期才到', 'negative', '物流'],
    ['delivery', '发货很快，第二天就到了', 'positive', '发货'],
    ['usability', '界面简洁，操作很方便', 'positive', '操作'],
    ['reliability', '经常闪退，还卡顿', 'negative', '闪退'],
    ['onboarding', '安装教程写得很清楚，新手也能上手', 'positive', '教程'],
  ])('scores %s in "%s" %s, with its evidence', (name, text, label, word) => {
    const a = aspect(text, name);
    expect(a?.label).toBe(label);
    expect(a?.evidence).toContain(word);
  });

  it('scores each aspect from its own clause (物流很快，但是客服态度很差)', () => {
    const text = '物流很快，但是客服态度很差';
    expect(aspect(text, 'delivery')?.label).toBe('positive');
    expect(aspect(text, 'service')?.label).toBe('negative');
  });

  it('finds an aspect word inside a longer word (很好用 holds 好用)', () => {
    expect(aspect('这个软件很好用', 'usability')?.evidence).toEqual(['好用']);
  });
});

describe('linear in the text length', () => {
  it('scores a long Chinese text (100,000 characters) without failing', () => {
    const r = analyze('物流很快，质量不错，客服态度很好。'.repeat(6000));
    expect(r.label).toBe('positive');
  });
});
