import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { loadAnalysisModel, loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'vocflow-enrichment-model-'));

describe('ANALYSIS_MODEL', () => {
  it('uses the shipped model when unset', () => {
    expect(loadAnalysisModel(loadConfig({}))).toBeNull();
  });

  it('loads a model file', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(
      path,
      JSON.stringify({
        id: 'custom-1',
        bits: 21,
        bias: 0.1,
        dense: { ruleScore: 2 },
        index: [5],
        weight: [0.5],
      }),
    );
    const model = loadAnalysisModel(loadConfig({ ANALYSIS_MODEL: path }));
    expect(model?.id).toBe('custom-1');
    expect(model?.hashed[5]).toBe(0.5);
  });

  it('refuses a malformed model file at start, naming the variable, the file and the problem', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify({ id: 'x', bits: 16, bias: 0, dense: {}, index: [], weight: [] }));
    try {
      loadAnalysisModel(loadConfig({ ANALYSIS_MODEL: path }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems;
      expect(problems).toEqual([
        {
          variable: 'ANALYSIS_MODEL',
          message: expect.stringContaining(`model file ${path} is malformed: "bits" must be 21`),
        },
      ]);
    }
  });

  it('refuses a model file that does not exist', () => {
    expect(() => loadAnalysisModel(loadConfig({ ANALYSIS_MODEL: join(dir, 'absent.json') }))).toThrow(
      ConfigError,
    );
  });
});
