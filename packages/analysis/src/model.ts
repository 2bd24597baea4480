import { readFileSync } from 'node:fs';
import { MODEL_BITS, type Scan } from './scan.ts';

/**
 * The learned layer: a logistic regression over a few dense rule features and hashed words and word
 * pairs (negated words marked). Trained by `train.ts`; shipped as `sentiment-model.json`.
 */

export const DENSE_FEATURES = ['ruleScore', 'positive', 'negative', 'noSignal', 'exclaim'] as const;
export const N_DENSE = DENSE_FEATURES.length;

export interface Model {
  id: string;
  bias: number;
  dense: Float64Array;
  /** Hashed weights, 2^MODEL_BITS entries. */
  hashed: Float32Array;
}

/** The file format: sparse hashed weights, rounded. */
export interface ModelFile {
  id: string;
  description: string;
  bits: number;
  bias: number;
  dense: Record<string, number>;
  index: number[];
  weight: number[];
}

/** VADER's normalization: a sum of valences → (−1, 1). */
export function normalizeValence(sum: number): number {
  return sum / Math.sqrt(sum * sum + 15);
}

/** The rule score of a scan: clause scores weighted by contrast, caps and exclamation emphasis. */
export function ruleSum(s: Scan): number {
  const allCaps = s.capsWords > 0 && s.capsWords * 2 >= s.words;
  let total = 0;
  for (let k = 0; k < s.nClauses; k++) total += clauseSum(s, k, allCaps);
  return total;
}

export function clauseSum(s: Scan, k: number, allCaps: boolean): number {
  let v = s.clauseScore[k]!;
  if (!allCaps) v += s.clauseCaps[k]!;
  const ex = s.clauseExclaim[k]!;
  if (ex > 0) v *= 1 + 0.15 * Math.min(ex, 3);
  return v * s.clauseWeight[k]!;
}

/** Hashed features count less in long texts, so a paragraph does not saturate the score. */
export function hashedScale(nFeats: number): number {
  return nFeats <= 36 ? 1 : Math.sqrt(36 / nFeats);
}

export function denseFeatures(s: Scan, ruleScore: number, out: Float64Array): void {
  out[0] = ruleScore;
  out[1] = Math.tanh(s.positive / 4);
  out[2] = Math.tanh(s.negative / 4);
  out[3] = s.polarHits === 0 ? 1 : 0;
  out[4] = s.exclaims > 0 ? 1 : 0;
}

export function modelFromFile(file: ModelFile): Model {
  if (file.bits !== MODEL_BITS) throw new Error(`model has ${file.bits} hash bits, analyzer ${MODEL_BITS}`);
  const hashed = new Float32Array(1 << MODEL_BITS);
  for (let i = 0; i < file.index.length; i++) hashed[file.index[i]!] = file.weight[i]!;
  const dense = new Float64Array(N_DENSE);
  DENSE_FEATURES.forEach((name, i) => {
    dense[i] = file.dense[name] ?? 0;
  });
  return { id: file.id, bias: file.bias, dense, hashed };
}

export function modelToFile(model: Model, description: string): ModelFile {
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < model.hashed.length; i++) {
    const w = Math.round(model.hashed[i]! * 1000) / 1000;
    if (w !== 0) {
      index.push(i);
      weight.push(w);
    }
  }
  const dense: Record<string, number> = {};
  DENSE_FEATURES.forEach((name, i) => {
    dense[name] = Math.round(model.dense[i]! * 10000) / 10000;
  });
  return {
    id: model.id,
    description,
    bits: MODEL_BITS,
    bias: Math.round(model.bias * 10000) / 10000,
    dense,
    index,
    weight,
  };
}

export const MODEL_URL = new URL('../model/sentiment-model.json', import.meta.url);

/** The shipped model, or null when the file is absent (then the analyzer runs on rules alone). */
export function loadShippedModel(): Model | null {
  let text: string;
  try {
    text = readFileSync(MODEL_URL, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return modelFromFile(JSON.parse(text) as ModelFile);
}
