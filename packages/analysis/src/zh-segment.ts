import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  ZH_ALTHOUGH_WORDS,
  ZH_ASPECT_TERMS,
  ZH_BUT_WORDS,
  ZH_DOMAIN_VALENCES,
  ZH_MODIFIERS,
  ZH_NEGATORS,
} from './zh-lexicon.ts';

/**
 * Chinese word segmentation for the learned layer: jieba (`@node-rs/jieba`, its general dictionary of
 * ~350 k words plus our feedback words as a user dictionary, unknown words by its HMM). Loaded once per
 * process, on the first Chinese text (about 0.35 s and 70 MB), so English-only use never pays for it.
 */

interface Jieba {
  loadDict(dict: Uint8Array): void;
  cut(sentence: string, hmm?: boolean): string[];
}

/** Frequency given to our own words in jieba's dictionary: high enough to stay whole. */
const USER_WORD_FREQUENCY = 1000;

let jieba: Jieba | null = null;
const decoder = new TextDecoder('utf-16le');

function load(): Jieba {
  const require = createRequire(import.meta.url);
  const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(dict: Uint8Array): Jieba } };
  const j = Jieba.withDict(readFileSync(require.resolve('@node-rs/jieba/dict.txt')));
  const words = new Set([
    ...Object.keys(ZH_DOMAIN_VALENCES),
    ...ZH_NEGATORS,
    ...Object.keys(ZH_MODIFIERS),
    ...ZH_BUT_WORDS,
    ...ZH_ALTHOUGH_WORDS,
    ...Object.values(ZH_ASPECT_TERMS).flat(),
  ]);
  const lines = [...words]
    .filter((w) => w.length >= 2 && /^\p{Script=Han}+$/u.test(w))
    .map((w) => `${w} ${USER_WORD_FREQUENCY}\n`);
  j.loadDict(Buffer.from(lines.join('')));
  return j;
}

/**
 * The words of a run of Chinese characters (the first `length` code units of `han`, Simplified script,
 * every one a Chinese character): their lengths add up to `length`.
 */
export function segmentHan(han: Uint16Array, length: number): string[] {
  jieba ??= load();
  return jieba.cut(decoder.decode(han.subarray(0, length)), true);
}
