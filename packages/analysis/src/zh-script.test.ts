import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv, parseLabelledNdjson } from './corpus.ts';
import { buildScriptFile, loadZhScript, SCRIPT_URL, simplify } from './zh-script.ts';

describe('Traditional → Simplified', () => {
  const script = loadZhScript();

  it('converts Traditional characters and leaves Simplified ones and other text alone', () => {
    expect(simplify('客服態度很差，售後服務專業', script)).toBe('客服态度很差，售后服务专业');
    expect(simplify('客服态度很差 OK', script)).toBe('客服态度很差 OK');
  });

  it('tells Traditional-only from Simplified-only characters', () => {
    const kind = (c: string) => script.kind[c.charCodeAt(0) - 0x3400];
    expect(kind('態')).toBe(1);
    expect(kind('态')).toBe(2);
    expect(kind('很')).toBe(0);
  });

  it('is the table the generator builds from opencc-js', async () => {
    const committed = JSON.parse(readFileSync(SCRIPT_URL, 'utf8'));
    expect(await buildScriptFile()).toEqual(committed);
  }, 60_000);
});

describe('reading training files', () => {
  it('parses CSV with quoted commas, doubled quotes and line breaks', () => {
    expect(parseCsv('text,label\n"a, ""b""\nc",positive\nplain,negative\n')).toEqual([
      ['text', 'label'],
      ['a, "b"\nc', 'positive'],
      ['plain', 'negative'],
    ]);
  });

  it('reads labelled NDJSON and skips blank lines', () => {
    expect(
      parseLabelledNdjson('{"text":"好","label":"positive"}\n\n{"text":"差","label":"negative"}\n'),
    ).toEqual([
      { text: '好', label: 'positive', source: 'user' },
      { text: '差', label: 'negative', source: 'user' },
    ]);
  });
});
