import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createAnalyzer } from './analyzer.ts';
import { rng } from './train.ts';

/**
 * Throughput of `analyze` on twenty-word customer-feedback texts, one core, next to the `sentiment`
 * package on the same texts in the same run. Not a test: run `node packages/analysis/src/analyzer.bench.ts`.
 */

const VOCABULARY = [
  'the',
  'delivery',
  'was',
  'late',
  'but',
  'support',
  'helped',
  'me',
  'quickly',
  'and',
  'I',
  'love',
  'this',
  'product',
  'not',
  'worth',
  'the',
  'price',
  'app',
  'crashed',
  'twice',
  'very',
  'easy',
  'to',
  'use',
  'refund',
  'never',
  'arrived',
  'great',
  'service',
  'really',
  'slow',
  'shipping',
  'docs',
  'are',
  'confusing',
  'setup',
  'took',
  'an',
  'hour',
  'would',
  'recommend',
  'it',
  'to',
  'friends',
  'broken',
  'on',
  'arrival',
  'after',
  'a',
  'week',
  'of',
  'waiting',
  'good',
  'value',
  'for',
  'money',
  '!',
  ':)',
];

export function makeTexts(count: number, words = 20, seed = 1): string[] {
  const random = rng(seed);
  const texts: string[] = [];
  for (let t = 0; t < count; t++) {
    const parts: string[] = [];
    for (let w = 0; w < words; w++) parts.push(VOCABULARY[Math.floor(random() * VOCABULARY.length)]!);
    texts.push(`${parts.join(' ')}.`);
  }
  return texts;
}

/** Clauses of Chinese customer feedback; a text is four to six of them (median about 40 characters). */
const ZH_CLAUSES = [
  '客服态度很差',
  '等了三天都没人回复',
  '物流很快',
  '包装也很好',
  '质量不错',
  '价格有点贵',
  '但是性价比还可以',
  '这个软件经常闪退',
  '界面操作很方便',
  '售后服务非常专业',
  '快递一个星期才到',
  '安装教程写得很清楚',
  '用了两天就坏了',
  '不过客服很耐心',
  '我周二下的单',
  '总体来说还算满意',
  '颜色和图片一样',
  '卡顿太严重了',
  'App 很好用',
  '退款到现在还没收到',
];

export function makeChineseTexts(count: number, seed = 2): string[] {
  const random = rng(seed);
  const texts: string[] = [];
  for (let t = 0; t < count; t++) {
    const parts: string[] = [];
    const n = 4 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) parts.push(ZH_CLAUSES[Math.floor(random() * ZH_CLAUSES.length)]!);
    texts.push(`${parts.join('，')}。`);
  }
  return texts;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Texts per second of CPU time of this process (user + system): on a shared machine the wall clock
 * also counts the time other processes hold the core, the CPU time does not.
 */
function measure(fn: (text: string) => unknown, texts: readonly string[], seconds: number): number {
  // warm up, then count whole passes until the time is up
  for (let i = 0; i < Math.min(texts.length, 20_000); i++) fn(texts[i]!);
  const deadline = performance.now() + seconds * 1000;
  const started = process.cpuUsage();
  let done = 0;
  let sink = 0;
  while (performance.now() < deadline) {
    for (let i = 0; i < texts.length; i++) if (fn(texts[i]!) !== undefined) sink++;
    done += texts.length;
  }
  if (sink < 0) throw new Error('unreachable');
  const used = process.cpuUsage(started);
  return done / ((used.user + used.system) / 1e6);
}

export async function benchAnalyzer(opts: { seconds?: number } = {}): Promise<{
  textsPerSecondPerCore: number;
  baselineSentimentPerSecond: number;
  chineseTextsPerSecondPerCore: number;
  chineseMedianCharacters: number;
}> {
  const seconds = opts.seconds ?? 3;
  const texts = makeTexts(10_000);
  const chinese = makeChineseTexts(10_000);
  const analyzer = createAnalyzer();
  const require = createRequire(import.meta.url);
  const Sentiment = require('sentiment') as new () => { analyze(text: string): unknown };
  const sentiment = new Sentiment();
  const textsPerSecondPerCore = measure((t) => analyzer.analyze(t), texts, seconds);
  const baselineSentimentPerSecond = measure((t) => sentiment.analyze(t), texts, seconds);
  const chineseTextsPerSecondPerCore = measure((t) => analyzer.analyze(t), chinese, seconds);
  return {
    textsPerSecondPerCore: Math.round(textsPerSecondPerCore),
    baselineSentimentPerSecond: Math.round(baselineSentimentPerSecond),
    chineseTextsPerSecondPerCore: Math.round(chineseTextsPerSecondPerCore),
    chineseMedianCharacters: median(chinese.map((t) => t.length)),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const seconds = Number(process.argv[2] ?? 3);
  const result = await benchAnalyzer({ seconds });
  process.stdout.write(
    `@vocflow/analysis: ${result.textsPerSecondPerCore.toLocaleString('en')} texts/s per core (20 words)\n` +
      `sentiment (AFINN only): ${result.baselineSentimentPerSecond.toLocaleString('en')} texts/s per core\n` +
      `@vocflow/analysis, Chinese: ${result.chineseTextsPerSecondPerCore.toLocaleString('en')} texts/s per core ` +
      `(median ${result.chineseMedianCharacters} characters)\n`,
  );
}
