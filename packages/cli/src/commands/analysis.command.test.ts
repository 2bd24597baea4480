import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vocflowChild } from '../cli.testing.ts';

const run = vocflowChild;

describe('vocflow analysis', () => {
  it('explains in --help how to train on your own labelled NDJSON', async () => {
    const { code, stdout } = await run(['analysis', 'train', '--help'], '');
    expect(code).toBe(0);
    expect(stdout).toContain('--data <file>');
    expect(stdout).toContain('"label": "positive"');
    expect(stdout).toContain('ANALYSIS_MODEL');
  }, 30_000);

  it('trains a model file from labelled NDJSON, and refuses bad lines without writing one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocflow-analysis-train-'));
    const data = join(dir, 'labelled.ndjson');
    const out = join(dir, 'model.json');
    const lines = [
      { text: '客服很耐心', label: 'positive' },
      { text: '物流太慢了', label: 'negative' },
      { text: 'great app', label: 'positive' },
      { text: 'the app crashes', label: 'negative' },
      { text: '发票在附件里', label: 'neutral' },
    ];
    writeFileSync(data, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"text":"x","label":"meh"}\n`);
    const bad = await run(['analysis', 'train', '--data', data, '--out', out], '');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 6: "label" must be one of negative, neutral, positive');
    expect(existsSync(out)).toBe(false);

    writeFileSync(data, lines.map((l) => JSON.stringify(l)).join('\n'));
    const good = await run(['analysis', 'train', '--data', data, '--out', out], '');
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/wrote .*model\.json: custom-[0-9a-f]{8}/);
    const scored = await run(['analyze', '--model', out], '{"text":"客服很耐心"}\n');
    expect(JSON.parse(scored.stdout).analyzerVersion).toMatch(/\+custom-[0-9a-f]{8}$/);
  }, 120_000);
});
