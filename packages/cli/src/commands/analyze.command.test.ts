import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vocflowChild } from '../cli.testing.ts';

const run = vocflowChild;

const INPUT = [
  JSON.stringify({ id: 'r1', text: 'The app keeps crashing and I want a refund.' }),
  JSON.stringify({ text: 'Great value for money, would recommend :)' }),
  '',
  'this is not json',
  JSON.stringify({ id: 7, text: 'Das Produkt ist sehr gut.' }),
  JSON.stringify({ id: 'r9' }),
].join('\n');

describe('vocflow analyze', () => {
  it('runs on Node 24', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('writes one result per line, an error line for a bad line, and goes on', async () => {
    const { code, stdout, stderr } = await run(['analyze'], INPUT);
    const out = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(5);
    expect(out[0]).toMatchObject({ id: 'r1', label: 'negative', language: 'en', supported: true });
    expect(out[1]).toMatchObject({ id: 2, label: 'positive' });
    expect(out[2]).toEqual({ line: 4, error: expect.stringContaining('JSON') });
    expect(out[3]).toMatchObject({ id: 7, language: 'de', supported: false, score: 0, label: 'neutral' });
    expect(out[4]).toEqual({ line: 6, error: '"text" must be a string' });
    expect(code).toBe(1);
    expect(stderr).toContain('2 of 6 lines could not be read');
  }, 30_000);

  it('reads --input <file> and exits 0 when every line is good', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocflow-analyze-'));
    const file = join(dir, 'in.ndjson');
    writeFileSync(file, `${JSON.stringify({ id: 'a', text: 'Shipping was fast.' })}\n`);
    const { code, stdout } = await run(['analyze', '--input', file], '');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { id: string; aspects: { aspect: string }[] };
    expect(result.id).toBe('a');
    expect(result.aspects.map((a) => a.aspect)).toContain('delivery');
  }, 30_000);

  it('scores the Chinese example of the help: negative, zh, service', async () => {
    const { code, stdout } = await run(
      ['analyze'],
      `${JSON.stringify({ id: '1', text: '客服态度很差，等了三天都没人回复。' })}\n`,
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { label: string; language: string; aspects: { aspect: string }[] };
    expect(result).toMatchObject({ label: 'negative', language: 'zh' });
    expect(result.aspects.map((a) => a.aspect)).toEqual(['service']);
  }, 30_000);

  it('refuses a malformed --model file before reading any input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vocflow-analyze-model-'));
    const path = join(dir, 'model.json');
    writeFileSync(path, '{"id":"x"}');
    const { code, stderr, stdout } = await run(['analyze', '--model', path], '{"text":"good"}\n');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`model file ${path} is malformed`);
  }, 30_000);

  it('shows an example in --help', async () => {
    const { stdout } = await run(['analyze', '--help'], '');
    expect(stdout).toContain('Example:');
    expect(stdout).toContain('--input <file>');
  }, 30_000);
});
