import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Analyzer, createAnalyzer } from './analyzer.ts';
import { buildLexicon } from './lexicon.ts';
import {
  assignFolds,
  type Dataset,
  type DatasetName,
  DEFAULT_DATA_DIR,
  type Example,
  featurize,
  loadDatasets,
  trainModel,
} from './train.ts';

/**
 * Quality of the analyzer on the UCI "Sentiment Labelled Sentences" (amazon, yelp, imdb; 1,000
 * sentences each, half positive). Four views:
 * - `rules`: the lexicon and rules alone (nothing learnt, so nothing to cross-validate);
 * - `crossValidated`: 10-fold CV, the learned layer retrained per fold on the other nine folds of all
 *   three sets pooled, scored on its held-out fold — the quality figure of the shipped analyzer;
 * - `crossDomain`: trained on two sets, scored on the third;
 * - `shipped`: the shipped model on the sentences it was trained on (resubstitution, a sanity check,
 *   not a quality figure).
 */

export interface SetMetrics {
  /** Share of sentences labelled correctly; a neutral label counts as wrong. */
  accuracy: number;
  /** Accuracy with a neutral label counted as positive (the tie rule of the published baselines). */
  accuracyTiesPositive: number;
  /** Mean of the F1 of the positive and the negative class (neutral labels are misses of both). */
  macroF1: number;
  /** Share of sentences labelled neutral. */
  neutralShare: number;
  n: number;
}

export type SetFigures = Record<DatasetName, SetMetrics>;

export interface Evaluation {
  rules: SetFigures;
  crossValidated: SetFigures;
  crossDomain: SetFigures;
  shipped: SetFigures | null;
  protocol: { folds: number; seed: number };
}

export const CV_FOLDS = 10;
export const CV_SEED = 20_250_101;

export function metrics(gold: readonly (0 | 1)[], predicted: readonly string[]): SetMetrics {
  let correct = 0;
  let correctTies = 0;
  let neutral = 0;
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i]!;
    const p = predicted[i];
    if (p === 'neutral') neutral++;
    if ((p === 'positive' && g === 1) || (p === 'negative' && g === 0)) correct++;
    if ((p !== 'negative' && g === 1) || (p === 'negative' && g === 0)) correctTies++;
    if (p === 'positive') {
      if (g === 1) tp++;
      else fp++;
    }
    if (p === 'negative') {
      if (g === 0) tn++;
      else fn++;
    }
  }
  const positives = gold.filter((g) => g === 1).length;
  const negatives = gold.length - positives;
  const f1 = (hit: number, predictedCount: number, actual: number): number =>
    hit === 0 ? 0 : (2 * hit) / (predictedCount + actual);
  const n = gold.length;
  return {
    accuracy: round(correct / n),
    accuracyTiesPositive: round(correctTies / n),
    macroF1: round((f1(tp, tp + fp, positives) + f1(tn, tn + fn, negatives)) / 2),
    neutralShare: round(neutral / n),
    n,
  };
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

function scoreSet(analyzer: Analyzer, set: Dataset): SetMetrics {
  return metrics(
    set.sentences.map((s) => s.label),
    set.sentences.map((s) => analyzer.analyze(s.text).label),
  );
}

export function evaluate(
  dataDir: string = DEFAULT_DATA_DIR,
  options: { shipped?: boolean } = {},
): Evaluation {
  const datasets = loadDatasets(dataDir);
  const lexicon = buildLexicon();
  const examples = datasets.map((set) => featurize(set.sentences, lexicon));

  const rulesAnalyzer = createAnalyzer({ model: null, lexicon });
  const rules = Object.fromEntries(
    datasets.map((set) => [set.name, scoreSet(rulesAnalyzer, set)]),
  ) as SetFigures;

  // k-fold CV: per fold, train on every other fold of all three sets; predict the held-out fold.
  const folds = assignFolds(datasets, CV_FOLDS, CV_SEED);
  const predicted = datasets.map((set) => new Array<string>(set.sentences.length).fill('neutral'));
  for (let fold = 0; fold < CV_FOLDS; fold++) {
    const train: Example[] = [];
    datasets.forEach((_, d) => {
      examples[d]!.forEach((ex, i) => {
        if (folds[d]![i] !== fold) train.push(ex);
      });
    });
    const analyzer = createAnalyzer({ model: trainModel(train, {}, `cv-${fold}`), lexicon });
    datasets.forEach((set, d) => {
      set.sentences.forEach((s, i) => {
        if (folds[d]![i] === fold) predicted[d]![i] = analyzer.analyze(s.text).label;
      });
    });
  }
  const crossValidated = Object.fromEntries(
    datasets.map((set, d) => [
      set.name,
      metrics(
        set.sentences.map((s) => s.label),
        predicted[d]!,
      ),
    ]),
  ) as SetFigures;

  // cross-domain: train on the two other sets, score this one.
  const crossDomain = Object.fromEntries(
    datasets.map((set, d) => {
      const train = examples.flatMap((ex, other) => (other === d ? [] : ex));
      const analyzer = createAnalyzer({ model: trainModel(train, {}, `without-${set.name}`), lexicon });
      return [set.name, scoreSet(analyzer, set)];
    }),
  ) as SetFigures;

  let shipped: SetFigures | null = null;
  if (options.shipped !== false) {
    const analyzer = createAnalyzer({ lexicon });
    shipped = Object.fromEntries(datasets.map((set) => [set.name, scoreSet(analyzer, set)])) as SetFigures;
  }
  return { rules, crossValidated, crossDomain, shipped, protocol: { folds: CV_FOLDS, seed: CV_SEED } };
}

export function formatTable(evaluation: Evaluation): string {
  const rows: string[] = [
    '| view | set | accuracy | acc. (ties → positive) | macro-F1 | neutral share |',
    '|---|---|---|---|---|---|',
  ];
  const views: [string, SetFigures | null][] = [
    [`learned layer, ${evaluation.protocol.folds}-fold CV`, evaluation.crossValidated],
    ['learned layer, cross-domain (trained on the other two)', evaluation.crossDomain],
    ['lexicon + rules only', evaluation.rules],
    ['shipped model on its own training data (not a quality figure)', evaluation.shipped],
  ];
  for (const [view, figures] of views) {
    if (figures === null) continue;
    for (const [set, m] of Object.entries(figures)) {
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      rows.push(
        `| ${view} | ${set} | ${m.accuracy.toFixed(3)} | ${m.accuracyTiesPositive.toFixed(3)} | ` +
          `${m.macroF1.toFixed(3)} | ${pct(m.neutralShare)} |`,
      );
    }
  }
  return rows.join('\n');
}

export const QUALITY_URL = new URL('../quality.json', import.meta.url);

/** What quality.json records: the figures the guard test holds the analyzer to. */
export interface QualityRecord {
  note: string;
  protocol: Evaluation['protocol'];
  crossValidated: SetFigures;
  crossDomain: SetFigures;
  rules: SetFigures;
}

export const MAX_NEUTRAL_SHARE = 0.1;
export const TOLERANCE = 0.01;

/**
 * What got worse than the record: an accuracy more than one point below it (cross-validated, or the
 * rules alone), or a cross-validated neutral share above 10 %. Empty when quality holds.
 */
export function qualityRegressions(
  current: Pick<Evaluation, 'crossValidated' | 'rules'>,
  recorded: QualityRecord,
): string[] {
  const problems: string[] = [];
  for (const view of ['crossValidated', 'rules'] as const) {
    for (const [set, was] of Object.entries(recorded[view]) as [DatasetName, SetMetrics][]) {
      const now = current[view][set];
      if (now === undefined) {
        problems.push(`${view} ${set}: not measured`);
        continue;
      }
      if (now.accuracy < was.accuracy - TOLERANCE) {
        problems.push(`${view} ${set}: accuracy ${now.accuracy} < recorded ${was.accuracy} − ${TOLERANCE}`);
      }
      if (view === 'crossValidated' && now.neutralShare > MAX_NEUTRAL_SHARE) {
        problems.push(`${view} ${set}: neutral share ${now.neutralShare} > ${MAX_NEUTRAL_SHARE}`);
      }
    }
  }
  return problems;
}

export function readQualityRecord(): QualityRecord {
  return JSON.parse(readFileSync(QUALITY_URL, 'utf8')) as QualityRecord;
}

/** `node evaluate.ts [dataDir] [--json] [--record]`: prints the table; --record rewrites quality.json. */
export function main(argv: readonly string[]): void {
  const dataDir = argv.find((a) => !a.startsWith('--')) ?? DEFAULT_DATA_DIR;
  const started = performance.now();
  const evaluation = evaluate(dataDir);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${formatTable(evaluation)}\n\n(${seconds} s)\n`);
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
  if (argv.includes('--record')) {
    const record: QualityRecord = {
      note:
        'Written by `node packages/analysis/src/evaluate.ts --record`. quality.test.ts fails when a figure ' +
        'drops more than one point below these or the neutral share exceeds 10 %.',
      protocol: evaluation.protocol,
      crossValidated: evaluation.crossValidated,
      crossDomain: evaluation.crossDomain,
      rules: evaluation.rules,
    };
    writeFileSync(QUALITY_URL, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`recorded ${fileURLToPath(QUALITY_URL)}\n`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`evaluate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
