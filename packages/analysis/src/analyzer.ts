import { ASPECTS, buildLexicon, LANGUAGES, type Lexicon } from './lexicon.ts';
import {
  CHINESE_DENSE,
  clauseSum,
  DEFAULT_NEUTRAL_BAND,
  denseFeatures,
  hashedScale,
  loadShippedModel,
  type Model,
  N_DENSE,
  type NeutralBand,
  normalizeValence,
  ruleSum,
} from './model.ts';
import { featureWeight, JA_SCRIPT, SCRIPT_LANGUAGES, Scan, scanText, ZH_SCRIPT } from './scan.ts';

export type SentimentLabel = 'negative' | 'neutral' | 'positive';

export interface AspectResult {
  aspect: string;
  score: number;
  label: SentimentLabel;
  /** The words that mentioned the aspect, lower-cased, in order of appearance. */
  evidence: string[];
}

/** Same shape as `SentimentResult` in `@vocflow/contracts` (feedback-enriched.schema.ts). */
export interface AnalysisResult {
  score: number;
  label: SentimentLabel;
  confidence: number;
  language: string;
  supported: boolean;
  aspects: AspectResult[];
  analyzerVersion: string;
}

export interface Analyzer {
  readonly version: string;
  analyze(text: string): AnalysisResult;
  /**
   * P(opinion) of the English opinion head for the text analysed last (1 when no head ran: Chinese,
   * no model, or a text with no signal). Training calibrates the opinion threshold on it.
   */
  lastOpinion(): number;
}

export const ANALYZER_RELEASE = '1.2.0';
/** Scores closer to 0 than this are labelled neutral, unless the model records its own bands. */
export const NEUTRAL_BAND = DEFAULT_NEUTRAL_BAND.en;

export interface AnalyzerOptions {
  /** The learned layer; `null` for the lexicon and rules alone. Default: the shipped model. */
  model?: Model | null;
  lexicon?: Lexicon;
}

export function labelOf(score: number, band: number = NEUTRAL_BAND): SentimentLabel {
  if (score >= band && score !== 0) return 'positive';
  if (score <= -band && score !== 0) return 'negative';
  return 'neutral';
}

/** The neutral band for a language: Chinese (either script) has its own, everything else English's. */
export function bandOf(language: string, band: NeutralBand): number {
  return language === 'zh' || language === 'zh-Hant' ? band.zh : band.en;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/**
 * Decides the language from the scan's evidence: a non-Latin script wins outright; otherwise the
 * stopword profile, with English as the default for text that has English words and 'und' for text
 * with no evidence at all.
 */
export function languageOf(s: Scan): string {
  let bestScript = -1;
  let scriptChars = 0;
  for (let k = 0; k < s.scripts.length; k++) {
    // a Chinese character carries about as much as a short Latin word: it weighs three letters
    const count = k === ZH_SCRIPT ? 3 * s.scripts[k]! : s.scripts[k]!;
    scriptChars += count;
    if (bestScript < 0 || count > (bestScript === ZH_SCRIPT ? 3 : 1) * s.scripts[bestScript]!) bestScript = k;
  }
  if (scriptChars > 0 && scriptChars >= s.latinLetters) {
    if (bestScript === ZH_SCRIPT) {
      // Japanese writes Chinese characters too: any real share of kana makes it Japanese
      if (s.scripts[JA_SCRIPT]! * 5 >= s.scripts[ZH_SCRIPT]!) return 'ja';
      return s.hantChars > s.hansChars ? 'zh-Hant' : 'zh';
    }
    return SCRIPT_LANGUAGES[bestScript]!;
  }
  const en = s.language[0]!;
  let best = 1;
  for (let k = 2; k < LANGUAGES.length; k++) if (s.language[k]! > s.language[best]!) best = k;
  const other = s.language[best]!;
  if (other >= 1 && other > 2 * en) return LANGUAGES[best]!;
  if (en > 0 || s.englishWords > 0) return 'en';
  return 'und';
}

/**
 * Languages the analyzer scores; 'und' (no evidence either way) is scored as English. A text in one of
 * them may mix in the other: every English word and every Chinese word counts.
 */
export const SUPPORTED_LANGUAGES: readonly string[] = ['en', 'zh', 'zh-Hant', 'und'];
const SUPPORTED = new Set(SUPPORTED_LANGUAGES);

// Built once per process and shared: both are only read while analysing (about 0.4 s to build).
let lexiconOnce: Lexicon | undefined;
let modelOnce: Model | null | undefined;
const sharedLexicon = (): Lexicon => {
  lexiconOnce ??= buildLexicon();
  return lexiconOnce;
};
const sharedModel = (): Model | null => {
  if (modelOnce === undefined) modelOnce = loadShippedModel();
  return modelOnce;
};

export function createAnalyzer(options: AnalyzerOptions = {}): Analyzer {
  const lexicon = options.lexicon ?? sharedLexicon();
  const model = options.model === undefined ? sharedModel() : options.model;
  const version = `${ANALYZER_RELEASE}+${model === null ? 'rules' : model.id}`;
  const neutralBand = model === null ? DEFAULT_NEUTRAL_BAND : model.neutralBand;
  const scan = new Scan();
  const dense = new Float64Array(N_DENSE);
  const clauseLogit = new Float64Array(256);
  let opinionP = 1;

  const analyze = (text: string): AnalysisResult => {
    scanText(text, lexicon, scan);
    opinionP = 1;
    const language = languageOf(scan);
    if (!SUPPORTED.has(language)) {
      return {
        score: 0,
        label: 'neutral',
        confidence: 0,
        language,
        supported: false,
        aspects: [],
        analyzerVersion: version,
      };
    }
    const s = scan;
    const allCaps = s.capsWords > 0 && s.capsWords * 2 >= s.words;
    const rules = normalizeValence(ruleSum(s));
    let score: number;
    const nClauses = s.nClauses;
    if (model === null) {
      score = rules;
      if (s.nEvidence > 0) {
        for (let k = 0; k < nClauses; k++) clauseLogit[k] = 2 * normalizeValence(clauseSum(s, k, allCaps));
      }
    } else {
      denseFeatures(s, rules, dense);
      let z = model.bias;
      for (let k = 0; k < N_DENSE; k++) z += model.dense[k]! * dense[k]!;
      const scale = hashedScale(s.nFeats, dense[CHINESE_DENSE]!);
      const hashed = model.hashed;
      const feats = s.feats;
      const featClause = s.featClause;
      const weights = s.clauseWeight;
      let known = 0;
      let h = 0;
      // English text also goes through the opinion head, in the same pass over the features
      const opinion = model.opinion !== undefined && dense[CHINESE_DENSE]! < 0.5 ? model.opinion : undefined;
      let o = 0;
      if (opinion === undefined) {
        for (let k = 0; k < s.nFeats; k++) {
          const f = feats[k]!;
          const w = hashed[f]!;
          if (w !== 0) {
            known++;
            h += w * featureWeight(f, weights[featClause[k]!]!);
          }
        }
      } else {
        const opinionHashed = opinion.hashed;
        for (let k = 0; k < s.nFeats; k++) {
          const f = feats[k]!;
          const cw = featureWeight(f, weights[featClause[k]!]!);
          const w = hashed[f]!;
          if (w !== 0) {
            known++;
            h += w * cw;
          }
          o += opinionHashed[f]! * cw;
        }
      }
      z += h * scale;
      // Nothing the rules or the model know: no signal, not a guess from the prior.
      score = known === 0 && s.polarHits === 0 ? 0 : Math.tanh(z / 2);
      if (opinion !== undefined && score !== 0) {
        // P(the text holds an opinion): a statement of fact scores near 0
        let zo = opinion.bias;
        for (let k = 0; k < N_DENSE; k++) zo += opinion.dense[k]! * dense[k]!;
        opinionP = 1 / (1 + Math.exp(-(zo + o * scale)));
        score *= opinionP;
      }
      if (s.nEvidence > 0) {
        const wRule = model.dense[0]!;
        for (let k = 0; k < nClauses; k++)
          clauseLogit[k] = wRule * normalizeValence(clauseSum(s, k, allCaps));
        for (let k = 0; k < s.nFeats; k++) clauseLogit[featClause[k]!]! += hashed[feats[k]!]! * scale;
      }
    }
    const band = bandOf(language, neutralBand);
    const magnitude = Math.abs(score);
    // an English text the opinion head finds no opinion in is neutral, however clear its polarity
    const threshold = opinionP < 1 && model !== null ? (model.opinion?.threshold ?? 0) : 0;
    const noOpinion = opinionP < threshold;
    const label = noOpinion ? 'neutral' : labelOf(score, band);
    const confidence = noOpinion
      ? 0.5 * (1 - opinionP / threshold)
      : label === 'neutral'
        ? band === 0
          ? 1
          : 0.5 * (1 - magnitude / band)
        : magnitude;
    return {
      score: round(score),
      label,
      confidence: round(confidence),
      language,
      supported: true,
      aspects: s.nEvidence > 0 ? aspectsOf(text, s) : [],
      analyzerVersion: version,
    };
  };

  const aspectsOf = (text: string, s: Scan): AspectResult[] => {
    const out: AspectResult[] = [];
    for (let bit = 0; bit < ASPECTS.length; bit++) {
      const flag = 1 << bit;
      let clauses = 0n;
      let z = 0;
      const evidence: string[] = [];
      for (let k = 0; k < s.nEvidence; k++) {
        if ((s.evidenceAspects[k]! & flag) === 0) continue;
        const word = text.slice(s.evidenceStart[k]!, s.evidenceEnd[k]!).toLowerCase();
        if (!evidence.includes(word)) evidence.push(word);
        const clause = s.evidenceClause[k]!;
        const mark = 1n << BigInt(clause);
        if ((clauses & mark) === 0n) {
          clauses |= mark;
          z += clauseLogit[clause]!;
        }
      }
      if (evidence.length === 0) continue;
      const score = round(Math.tanh(z / 2));
      // an aspect is labelled by the plain band: its clauses were chosen for mentioning it
      out.push({ aspect: ASPECTS[bit]!, score, label: labelOf(score), evidence });
    }
    return out;
  };

  return { version, analyze, lastOpinion: () => opinionP };
}

let shared: Analyzer | undefined;

/** Scores one text with the shipped model (built on first use). */
export function analyze(text: string): AnalysisResult {
  shared ??= createAnalyzer();
  return shared.analyze(text);
}
