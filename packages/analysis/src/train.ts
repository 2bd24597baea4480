import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lexicon } from './lexicon.ts';
import {
  CHINESE_DENSE,
  DEFAULT_NEUTRAL_BAND,
  denseFeatures,
  hashedScale,
  type Model,
  N_DENSE,
  normalizeValence,
  ruleSum,
} from './model.ts';
import { featureWeight, MODEL_BITS, Scan, scanText } from './scan.ts';

/**
 * Training of the learned layer and the honest ways to measure it: k-fold cross-validation (a fold's
 * model never sees its test sentences) and cross-domain (train on two sets, test on the third).
 */

export const DATASETS = [
  { name: 'amazon', file: 'amazon_cells_labelled.txt' },
  { name: 'yelp', file: 'yelp_labelled.txt' },
  { name: 'imdb', file: 'imdb_labelled.txt' },
] as const;
export type DatasetName = (typeof DATASETS)[number]['name'];

export interface LabelledSentence {
  text: string;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
}

export interface Dataset {
  name: DatasetName;
  sentences: LabelledSentence[];
}

/** The UCI "Sentiment Labelled Sentences" copy kept with the package (CC BY 4.0, see its README). */
export const DEFAULT_DATA_DIR = new URL('../data/uci-sentiment/', import.meta.url).pathname;

export function loadDatasets(dataDir: string = DEFAULT_DATA_DIR): Dataset[] {
  return DATASETS.map(({ name, file }) => {
    const path = join(dataDir, file);
    if (!existsSync(path)) {
      throw new Error(
        `${path} is missing: pass the directory of the UCI "Sentiment Labelled Sentences" files ` +
          `(amazon_cells_labelled.txt, yelp_labelled.txt, imdb_labelled.txt)`,
      );
    }
    const sentences: LabelledSentence[] = [];
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const tab = line.lastIndexOf('\t');
      if (tab < 0) continue;
      const label = line.slice(tab + 1).trim();
      if (label !== '0' && label !== '1') continue;
      sentences.push({ text: line.slice(0, tab).trim(), label: label === '1' ? 1 : 0 });
    }
    return { name, sentences };
  });
}

export interface Example {
  feats: Int32Array;
  scale: number;
  /** Per feature: its weight (`featureWeight`: English features weigh as their clause). */
  values: Float32Array;
  dense: Float64Array;
  label: 0 | 1;
}

export function featurize(sentences: readonly LabelledSentence[], lexicon: Lexicon): Example[] {
  const scan = new Scan();
  return sentences.map(({ text, label }) => {
    scanText(text, lexicon, scan);
    const dense = new Float64Array(N_DENSE);
    denseFeatures(scan, normalizeValence(ruleSum(scan)), dense);
    const values = new Float32Array(scan.nFeats);
    for (let k = 0; k < scan.nFeats; k++)
      values[k] = featureWeight(scan.feats[k]!, scan.clauseWeight[scan.featClause[k]!]!);
    return {
      feats: scan.feats.slice(0, scan.nFeats),
      scale: hashedScale(scan.nFeats, dense[CHINESE_DENSE]!),
      values,
      dense,
      label,
    };
  });
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on hashed weights, per example. */
  l2?: number;
  seed?: number;
  /** Scale each hashed feature by its naive-Bayes log-count ratio in the training data (NBSVM). */
  nbRatio?: boolean;
  /**
   * Adds this multiple of each feature's signed naive-Bayes log-count ratio to its learnt weight: the
   * regression averaged with naive Bayes (with `nbRatio`), which generalizes better on small data.
   */
  nbMix?: number;
}

export const TRAIN_DEFAULTS: Required<TrainOptions> = {
  epochs: 12,
  learningRate: 0.2,
  l2: 2e-4,
  seed: 7,
  nbRatio: true,
  nbMix: 0.05,
};

/** A small deterministic PRNG (mulberry32), so training and folds are reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/**
 * Logistic regression by averaged stochastic gradient descent (the average of the weights over the
 * last half of the updates generalizes better than the last weights on data this small).
 */
export function trainModel(examples: readonly Example[], options: TrainOptions = {}, id = 'trained'): Model {
  const { epochs, learningRate, l2, seed, nbRatio, nbMix } = { ...TRAIN_DEFAULTS, ...options };
  const size = 1 << MODEL_BITS;
  const ratio = nbRatio ? logCountRatios(examples, size) : null;
  const w = new Float64Array(size);
  const wSum = new Float64Array(size);
  const dense = new Float64Array(N_DENSE);
  const denseSum = new Float64Array(N_DENSE);
  let bias = 0;
  let biasSum = 0;
  let averaged = 0;
  const random = rng(seed);
  const order = examples.map((_, i) => i);
  const averageFrom = Math.floor(epochs / 2);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order, random);
    const lr = learningRate / (1 + 0.3 * epoch);
    for (const i of order) {
      const ex = examples[i]!;
      let z = bias;
      for (let k = 0; k < N_DENSE; k++) z += dense[k]! * ex.dense[k]!;
      let h = 0;
      if (ratio === null) for (let k = 0; k < ex.feats.length; k++) h += w[ex.feats[k]!]! * ex.values[k]!;
      else
        for (let k = 0; k < ex.feats.length; k++)
          h += w[ex.feats[k]!]! * ratio[ex.feats[k]!]! * ex.values[k]!;
      z += h * ex.scale;
      const p = 1 / (1 + Math.exp(-z));
      const g = p - ex.label;
      bias -= lr * g;
      for (let k = 0; k < N_DENSE; k++) dense[k]! -= lr * g * ex.dense[k]!;
      const step = lr * g * ex.scale;
      for (let k = 0; k < ex.feats.length; k++) {
        const f = ex.feats[k]!;
        const x = ex.values[k]!;
        w[f] = w[f]! - (ratio === null ? step * x : step * x * ratio[f]!) - lr * l2 * w[f]!;
      }
    }
    if (epoch >= averageFrom) {
      for (let f = 0; f < size; f++) wSum[f]! += w[f]!;
      for (let k = 0; k < N_DENSE; k++) denseSum[k]! += dense[k]!;
      biasSum += bias;
      averaged++;
    }
  }
  const hashed = new Float32Array(size);
  // the ratios fold into the weights: inference just sums the weights of the features present
  for (let f = 0; f < size; f++) hashed[f] = (wSum[f]! / averaged) * (ratio === null ? 1 : ratio[f]!);
  if (nbMix !== 0) {
    const signed = logCountRatios(examples, size, true);
    for (let f = 0; f < size; f++) hashed[f]! += nbMix * signed[f]!;
  }
  for (let k = 0; k < N_DENSE; k++) dense[k] = denseSum[k]! / averaged;
  return { id, bias: biasSum / averaged, dense, hashed, neutralBand: { ...DEFAULT_NEUTRAL_BAND } };
}

/**
 * log((count in positives + 1) / (count in negatives + 1)), normalized by the class totals: its
 * magnitude, or (`signed`) the ratio itself; 0 for a feature no example holds.
 */
function logCountRatios(examples: readonly Example[], size: number, signed = false): Float32Array {
  const pos = new Float32Array(size);
  const neg = new Float32Array(size);
  let posTotal = 0;
  let negTotal = 0;
  for (const ex of examples) {
    const counts = ex.label === 1 ? pos : neg;
    for (let k = 0; k < ex.feats.length; k++) counts[ex.feats[k]!]! += 1;
    if (ex.label === 1) posTotal += ex.feats.length;
    else negTotal += ex.feats.length;
  }
  const ratio = new Float32Array(size);
  const norm = Math.log((negTotal + size) / (posTotal + size));
  for (let f = 0; f < size; f++) {
    if (pos[f] === 0 && neg[f] === 0) continue;
    const r = Math.log((pos[f]! + 1) / (neg[f]! + 1)) + norm;
    ratio[f] = signed ? r : Math.abs(r);
  }
  return ratio;
}

/**
 * Stratified k-fold assignment over all sets pooled: fold = position within (set, label) after a
 * seeded shuffle, so every fold holds a tenth of each set's positives and negatives.
 */
export function assignFolds(datasets: readonly Dataset[], k: number, seed: number): number[][] {
  const random = rng(seed);
  // A sentence that occurs more than once (17 do, across the three files) always lands in one fold.
  const foldOfText = new Map<string, number>();
  return datasets.map((set) => {
    const folds = new Array<number>(set.sentences.length).fill(0);
    for (const label of [0, 1]) {
      const members = set.sentences.flatMap((s, i) => (s.label === label ? [i] : []));
      shuffle(members, random).forEach((idx, pos) => {
        const text = set.sentences[idx]!.text.toLowerCase();
        const fold = foldOfText.get(text) ?? pos % k;
        foldOfText.set(text, fold);
        folds[idx] = fold;
      });
    }
    return folds;
  });
}
