/**
 * Word hashing shared by the tokenizer, the lexicon and the learned layer.
 *
 * A word is identified by two independent 32-bit hashes of its lower-cased characters (apostrophes
 * skipped, so "don't" and "dont" are the same word). The tokenizer computes both while it scans, so
 * looking a word up never allocates a string; the pair makes a false match practically impossible.
 */

export const H1_SEED = 0x811c9dc5 | 0;
export const H2_SEED = 0x2f6b3a17;

/** Lower-cases ASCII and Latin-1 letters; leaves everything else as is. */
export function foldCase(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 0xc0 && c <= 0xde && c !== 0xd7) return c + 32;
  return c;
}

export function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019 || c === 0x2018 || c === 96;
}

export function stepH1(h: number, c: number): number {
  return Math.imul(h ^ c, 16777619);
}

export function stepH2(h: number, c: number): number {
  return Math.imul((h + c) | 0, 0x5bd1e995) ^ (h >>> 15);
}

/** Final avalanche so that similar words land far apart in a table. */
export function finish(h: number): number {
  let x = h ^ (h >>> 16);
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return (x ^ (x >>> 16)) | 0;
}

/** Hash of a two-word sequence from the hashes of its words. */
export function pairHash(a: number, b: number): number {
  return finish((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

export interface WordHash {
  h1: number;
  h2: number;
}

/** Hashes one word the way the tokenizer does. */
export function hashWord(word: string): WordHash {
  let h1 = H1_SEED;
  let h2 = H2_SEED;
  for (let i = 0; i < word.length; i++) {
    const c = foldCase(word.charCodeAt(i));
    if (isApostrophe(c)) continue;
    h1 = stepH1(h1, c);
    h2 = stepH2(h2, c);
  }
  return { h1: finish(h1), h2: finish(h2) };
}

/** Hashes a phrase of one or more space-separated words (bigrams combine their word hashes). */
export function hashPhrase(phrase: string): WordHash {
  const words = phrase.split(' ').filter((w) => w.length > 0);
  let acc = hashWord(words[0] ?? '');
  for (let i = 1; i < words.length; i++) {
    const next = hashWord(words[i]!);
    acc = { h1: pairHash(acc.h1, next.h1), h2: pairHash(acc.h2, next.h2) };
  }
  return acc;
}

/**
 * Open-addressing table from a word hash pair to a small integer (an index into the caller's
 * attribute arrays). Lookups compare both hashes, never strings.
 */
export class HashIndex {
  private readonly k1: Int32Array;
  private readonly k2: Int32Array;
  private readonly v: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size <<= 1;
    this.k1 = new Int32Array(size);
    this.k2 = new Int32Array(size);
    this.v = new Int32Array(size).fill(-1);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value for the pair, or -1. */
  get(h1: number, h2: number): number {
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const v = this.v[i]!;
      if (v === -1) return -1;
      if (this.k1[i] === h1 && this.k2[i] === h2) return v;
      i = (i + 1) & mask;
    }
  }

  set(h1: number, h2: number, value: number): void {
    const mask = this.mask;
    let i = h1 & mask;
    for (;;) {
      const v = this.v[i]!;
      if (v === -1) {
        if ((this.count + 1) * 2 > this.v.length) throw new Error('HashIndex is full');
        this.k1[i] = h1;
        this.k2[i] = h2;
        this.v[i] = value;
        this.count++;
        return;
      }
      if (this.k1[i] === h1 && this.k2[i] === h2) {
        this.v[i] = value;
        return;
      }
      i = (i + 1) & mask;
    }
  }
}
