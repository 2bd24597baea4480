import { describe, expect, it } from 'vitest';
import { CustomerTable } from '../customer-table.store.ts';
import { createPiiRedactor } from '../pii.redactor.ts';
import { createEnrichmentPipeline } from '../pipeline.ts';
import { inbound, keywordAnalyzer, rawFeedback } from '../test-fixtures.ts';
import { DEFAULT_ANALYSIS_MAX_CHARS, headOf } from './score-sentiment.step.ts';

describe('the text given to the analyser', () => {
  const run = async (text: string, analysisMaxChars?: number) => {
    const seen: string[] = [];
    const pipeline = createEnrichmentPipeline({
      analyzer: {
        analyze: (t) => {
          seen.push(t);
          return keywordAnalyzer.analyze(t);
        },
      },
      customers: new CustomerTable(),
      redactor: createPiiRedactor({ enabled: true }),
      analysisMaxChars,
      segmentRules: [],
      alertRules: [],
    });
    const result = await pipeline(inbound(rawFeedback({ texts: [{ field: 'notes', text }], answers: [] })));
    if (result.kind !== 'ok') throw new Error('expected ok');
    return { seen, record: result.value.enriched };
  };

  it('is the first ANALYSIS_MAX_CHARS characters; the record keeps the whole text', async () => {
    const text = `${'great '.repeat(10_000)}mail jane@acme.example`;
    const { seen, record } = await run(text, 1_000);
    expect(seen[0]).toHaveLength(1_000);
    expect(text.startsWith(seen[0]!)).toBe(true);
    expect(record.texts[0]!.text).toHaveLength(text.length - 'jane@acme.example'.length + '[email]'.length);
    expect(record.texts[0]!.text.endsWith('mail [email]')).toBe(true);
  });

  it('defaults to 20,000 characters and leaves shorter texts whole', async () => {
    expect(DEFAULT_ANALYSIS_MAX_CHARS).toBe(20_000);
    expect((await run('a'.repeat(50_000))).seen[0]).toHaveLength(20_000);
    expect((await run('Support is slow')).seen[0]).toBe('Support is slow');
  });

  it('never cuts a character made of two UTF-16 units in half', () => {
    expect(headOf('ab😀c', 3)).toBe('ab');
    expect(headOf('ab😀c', 4)).toBe('ab😀');
    expect(headOf('客服很好', 2)).toBe('客服');
  });
});
