import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Analyzer, createAnalyzer } from './analyzer.ts';
import { signAccuracy, type ThreeClassMetrics, threeClassMetrics } from './build.ts';
import { type Label, loadLabelledCsv, parseCsv } from './corpus.ts';
import { MODEL_URL } from './model.ts';

/**
 * The figures docs/analysis.md reports, measured on data the analyzer never learns from: MARC-zh dev
 * (research use: read from its path, never copied into the repository or learnt from), SemEval-2017
 * dev, the ASAP aspect samples, plus the shipped weights' size. Written to `figures.json` for the
 * bench report. `vocflow analysis evaluate --shared <dir>` runs it.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DEFAULT_SHARED_DIR = resolve(REPO_ROOT, '../shared/data');
export const FIGURES_URL = new URL('../figures.json', import.meta.url);

export interface AspectMentionFigures {
  aspect: string;
  columns: string[];
  n: number;
  precision: number;
  recall: number;
  /** Of the reviews where both the annotators and the analyzer found the aspect with a polarity. */
  polarityAgreement: number;
  polarityN: number;
}

export interface Figures {
  command: string;
  analyzerVersion: string;
  weightsBytes: number;
  marcZhDev: (SetFigures & { path: string }) | { missing: string };
  semevalEnDev: (SetFigures & { path: string }) | { missing: string };
  asapAspects: AspectMentionFigures[] | { missing: string };
}

export interface SetFigures extends ThreeClassMetrics {
  /**
   * Binary accuracy on the positive and negative texts from the sign of the score alone (the
   * polarity decision, as a two-class classifier would be measured; a score of exactly 0 is wrong).
   */
  signAccuracy: number;
}

function scoreSet(analyzer: Analyzer, rows: { text: string; label: Label }[]): SetFigures {
  const results = rows.map((r) => analyzer.analyze(r.text));
  const gold = rows.map((r) => r.label);
  return {
    signAccuracy: signAccuracy(
      results.map((r) => r.score),
      gold,
    ),
    ...threeClassMetrics(
      gold,
      results.map((r) => r.label as Label),
    ),
  };
}

/** ASAP columns (1 positive, 0 neutral, −1 negative, −2 not mentioned) that match our aspects. */
export const ASAP_COLUMNS: Record<string, string[]> = {
  service: ['service_wait_time', 'service_waiters_attitude', 'service_serving_speed'],
  price: ['price_level', 'price_cost_effective', 'price_discount'],
};

export function asapAspectFigures(analyzer: Analyzer, files: readonly string[]): AspectMentionFigures[] {
  const rows = files.flatMap((f) => {
    const table = parseCsv(readFileSync(f, 'utf8').replace(/^\uFEFF/, ''));
    const header = table[0]!;
    return table
      .slice(1)
      .filter((r) => r.length === header.length)
      .map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]!])));
  });
  return Object.entries(ASAP_COLUMNS).map(([aspect, columns]) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let agree = 0;
    let polarN = 0;
    for (const row of rows) {
      const values = columns.map((c) => Number(row[c]));
      const gold = values.some((v) => v !== -2);
      const found = analyzer.analyze(row.reviewbody ?? '').aspects.find((a) => a.aspect === aspect);
      if (gold && found) tp++;
      else if (found) fp++;
      else if (gold) fn++;
      const goldPolar = values.filter((v) => v === 1 || v === -1);
      if (found && found.label !== 'neutral' && goldPolar.length > 0) {
        const sum = goldPolar.reduce((a, v) => a + v, 0);
        if (sum !== 0) {
          polarN++;
          if (sum > 0 === (found.label === 'positive')) agree++;
        }
      }
    }
    const r4 = (x: number): number => Math.round(x * 10000) / 10000;
    return {
      aspect,
      columns,
      n: rows.length,
      precision: tp + fp === 0 ? 0 : r4(tp / (tp + fp)),
      recall: tp + fn === 0 ? 0 : r4(tp / (tp + fn)),
      polarityAgreement: polarN === 0 ? 0 : r4(agree / polarN),
      polarityN: polarN,
    };
  });
}

export function measureFigures(sharedDir: string = DEFAULT_SHARED_DIR): Figures {
  const analyzer = createAnalyzer();
  const marcPath = join(sharedDir, 'sentiment-zh', 'marc-zh-dev.csv');
  const semevalPath = join(sharedDir, 'sentiment', 'semeval-en-3class-dev.csv');
  const asap = ['train', 'dev', 'test'].map((s) =>
    join(sharedDir, 'sentiment-zh', `asap-aspects-${s}-sample.csv`),
  );
  const missing = (path: string) => ({
    missing: `${path} not found: pass --shared <dir> (the folder holding sentiment/ and sentiment-zh/)`,
  });
  return {
    command: 'npx vocflow analysis evaluate --record',
    analyzerVersion: analyzer.version,
    weightsBytes: statSync(MODEL_URL).size,
    marcZhDev: existsSync(marcPath)
      ? {
          path: 'shared/data/sentiment-zh/marc-zh-dev.csv',
          ...scoreSet(analyzer, loadLabelledCsv(marcPath, 'marc')),
        }
      : missing(marcPath),
    semevalEnDev: existsSync(semevalPath)
      ? {
          path: 'shared/data/sentiment/semeval-en-3class-dev.csv',
          ...scoreSet(analyzer, loadLabelledCsv(semevalPath, 'semeval-dev')),
        }
      : missing(semevalPath),
    asapAspects: asap.every((f) => existsSync(f)) ? asapAspectFigures(analyzer, asap) : missing(asap[0]!),
  };
}

export function writeFigures(figures: Figures): void {
  writeFileSync(FIGURES_URL, `${JSON.stringify(figures, null, 2)}\n`);
}
