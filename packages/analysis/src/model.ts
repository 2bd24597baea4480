import { readFileSync } from 'node:fs';
import { MODEL_BITS, type Scan, ZH_SCRIPT } from './scan.ts';

/**
 * The learned layer: a logistic regression over a few dense rule features and hashed words and word
 * pairs (negated words marked). Trained by `train.ts`; shipped as `sentiment-model.json`.
 */

export const DENSE_FEATURES = [
  'ruleScore',
  'positive',
  'negative',
  'noSignal',
  'exclaim',
  'chinese',
  'chineseRuleScore',
] as const;
export const N_DENSE = DENSE_FEATURES.length;
/** Index of the 'chinese' share among the dense features. */
export const CHINESE_DENSE = DENSE_FEATURES.indexOf('chinese');

/** Scores closer to 0 than the band are neutral; one band per script family, calibrated in training. */
export interface NeutralBand {
  en: number;
  zh: number;
}

/** The band of a model that records none (the rules alone, or a file from before bands). */
export const DEFAULT_NEUTRAL_BAND: Readonly<NeutralBand> = { en: 0.1, zh: 0.1 };
/** A band is a score threshold in [0, MAX_NEUTRAL_BAND]; a wider one would call most opinions neutral. */
export const MAX_NEUTRAL_BAND = 0.9;

export interface Model {
  id: string;
  bias: number;
  dense: Float64Array;
  /** Hashed weights, 2^MODEL_BITS entries. */
  hashed: Float32Array;
  neutralBand: NeutralBand;
  /**
   * English only: the probability that a text holds an opinion at all (a second logistic regression
   * over the same features, trained on neutral against opinionated texts). The English score is the
   * polarity score times this probability, so a statement of fact scores near 0.
   */
  opinion?: OpinionHead;
}

export interface OpinionHead {
  bias: number;
  dense: Float64Array;
  hashed: Float32Array;
  /**
   * A text whose P(opinion) is below this is labelled neutral whatever its score (0 = the band alone
   * decides). Calibrated in training; absent from files written before it existed.
   */
  threshold: number;
}

export interface OpinionHeadFile {
  bias: number;
  dense: Record<string, number>;
  index: number[];
  weight: number[];
  threshold?: number;
}

/** The file format: sparse hashed weights, rounded. */
export interface ModelFile {
  id: string;
  description: string;
  bits: number;
  bias: number;
  dense: Record<string, number>;
  neutralBand?: NeutralBand;
  index: number[];
  weight: number[];
  opinion?: OpinionHeadFile;
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

/**
 * Hashed features count less in long texts, so a paragraph does not saturate the score. Chinese text
 * yields several features a character (characters, pairs, triples, words), so it is damped sooner.
 */
export function hashedScale(nFeats: number, chinese = 0): number {
  const free = chinese >= 0.5 ? 8 : 36;
  return nFeats <= free ? 1 : Math.sqrt(free / nFeats);
}

/** How much of a text is Chinese: a Chinese character counts as much as three Latin letters. */
export function chineseShare(s: Scan): number {
  const han = s.scripts[ZH_SCRIPT]!;
  return han === 0 ? 0 : han / (han + s.latinLetters / 3);
}

export function denseFeatures(s: Scan, ruleScore: number, out: Float64Array): void {
  const chinese = chineseShare(s);
  out[0] = ruleScore;
  out[1] = Math.tanh(s.positive / 4);
  out[2] = Math.tanh(s.negative / 4);
  out[3] = s.polarHits === 0 ? 1 : 0;
  out[4] = s.exclaims > 0 ? 1 : 0;
  out[5] = chinese;
  out[6] = chinese * ruleScore;
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * Checks a parsed model file and lists every problem (empty when it is usable): a model file named
 * in configuration is checked at start, so a broken one fails there and not on the first message.
 */
export function modelFileProblems(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return ['not a JSON object'];
  const f = json as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof f.id !== 'string' || f.id.length === 0) problems.push('"id" must be a non-empty string');
  if (f.bits !== MODEL_BITS)
    problems.push(`"bits" must be ${MODEL_BITS} (the analyzer's hash size), got ${String(f.bits)}`);
  problems.push(...headProblems(f, ''));
  if (f.neutralBand !== undefined) {
    const band = f.neutralBand as Record<string, unknown> | null;
    for (const lang of ['en', 'zh'] as const) {
      const b = band?.[lang];
      if (!isFiniteNumber(b) || b < 0 || b > MAX_NEUTRAL_BAND)
        problems.push(`"neutralBand.${lang}" must be a number in [0, ${MAX_NEUTRAL_BAND}]`);
    }
  }
  if (f.opinion !== undefined) {
    if (typeof f.opinion !== 'object' || f.opinion === null || Array.isArray(f.opinion))
      problems.push('"opinion" must be an object');
    else {
      const head = f.opinion as Record<string, unknown>;
      problems.push(...headProblems(head, 'opinion.'));
      const t = head.threshold;
      if (t !== undefined && (!isFiniteNumber(t) || t < 0 || t > 1))
        problems.push('"opinion.threshold" must be a number in [0, 1]');
    }
  }
  return problems;
}

/** The problems of one logistic regression in a file: bias, dense weights, sparse hashed weights. */
function headProblems(f: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  if (!isFiniteNumber(f.bias)) problems.push(`"${at}bias" must be a finite number`);
  if (typeof f.dense !== 'object' || f.dense === null || Array.isArray(f.dense)) {
    problems.push(`"${at}dense" must be an object of feature name → number`);
  } else {
    for (const [name, w] of Object.entries(f.dense)) {
      if (!(DENSE_FEATURES as readonly string[]).includes(name))
        problems.push(`"${at}dense" has unknown feature "${name}"`);
      else if (!isFiniteNumber(w)) problems.push(`"${at}dense.${name}" must be a finite number`);
    }
  }
  const index = f.index;
  const weight = f.weight;
  if (!Array.isArray(index) || !Array.isArray(weight))
    problems.push(`"${at}index" and "${at}weight" must be arrays`);
  else if (index.length !== weight.length)
    problems.push(`"${at}index" (${index.length}) and "${at}weight" (${weight.length}) differ in length`);
  else {
    const size = 1 << MODEL_BITS;
    const badIndex = index.findIndex((x) => !Number.isInteger(x) || x < 0 || x >= size);
    if (badIndex >= 0) problems.push(`"${at}index[${badIndex}]" is not an integer in [0, ${size})`);
    const badWeight = weight.findIndex((x) => !isFiniteNumber(x));
    if (badWeight >= 0) problems.push(`"${at}weight[${badWeight}]" is not a finite number`);
  }
  return problems;
}

function headFromFile(file: {
  bias: number;
  dense: Record<string, number>;
  index: number[];
  weight: number[];
}): Omit<OpinionHead, 'threshold'> {
  const hashed = new Float32Array(1 << MODEL_BITS);
  for (let i = 0; i < file.index.length; i++) hashed[file.index[i]!] = file.weight[i]!;
  const dense = new Float64Array(N_DENSE);
  DENSE_FEATURES.forEach((name, i) => {
    dense[i] = file.dense[name] ?? 0;
  });
  return { bias: file.bias, dense, hashed };
}

function headToFile(head: Omit<OpinionHead, 'threshold'>): OpinionHeadFile {
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < head.hashed.length; i++) {
    const w = Math.round(head.hashed[i]! * 1000) / 1000;
    if (w !== 0) {
      index.push(i);
      weight.push(w);
    }
  }
  const dense: Record<string, number> = {};
  DENSE_FEATURES.forEach((name, i) => {
    dense[name] = Math.round(head.dense[i]! * 10000) / 10000;
  });
  return { bias: Math.round(head.bias * 10000) / 10000, dense, index, weight };
}

export function modelFromFile(file: ModelFile): Model {
  const problems = modelFileProblems(file);
  if (problems.length > 0) throw new Error(`malformed model file: ${problems.join('; ')}`);
  const { bias, dense, hashed } = headFromFile(file);
  const neutralBand = { ...(file.neutralBand ?? DEFAULT_NEUTRAL_BAND) };
  const model: Model = { id: file.id, bias, dense, hashed, neutralBand };
  if (file.opinion !== undefined) {
    const head = headFromFile(file.opinion);
    model.opinion = { ...head, threshold: file.opinion.threshold ?? 0 };
  }
  return model;
}

/**
 * Loads a model file (`vocflow analysis train` writes them). Throws an error that names the file and
 * every problem when it is missing, not JSON, or not a model.
 */
export function loadModelFile(path: string): Model {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read model file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`model file ${path} is not JSON: ${(error as Error).message}`);
  }
  const problems = modelFileProblems(json);
  if (problems.length > 0) throw new Error(`model file ${path} is malformed: ${problems.join('; ')}`);
  return modelFromFile(json as ModelFile);
}

export function modelToFile(model: Model, description: string): ModelFile {
  const { bias, dense, index, weight } = headToFile(model);
  const file: ModelFile = {
    id: model.id,
    description,
    bits: MODEL_BITS,
    bias,
    dense,
    neutralBand: {
      en: Math.round(model.neutralBand.en * 1000) / 1000,
      zh: Math.round(model.neutralBand.zh * 1000) / 1000,
    },
    index,
    weight,
  };
  if (model.opinion !== undefined)
    file.opinion = {
      ...headToFile(model.opinion),
      threshold: Math.round(model.opinion.threshold * 1000) / 1000,
    };
  return file;
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
