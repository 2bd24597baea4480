import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAnalyzer } from './analyzer.ts';
import {
  buildModel,
  buildShippedModel,
  calibrateBand,
  calibrateWithOpinion,
  threeClassMetrics,
} from './build.ts';
import { parseLabelledNdjson } from './corpus.ts';
import { loadModelFile, MODEL_URL, type ModelFile, modelFileProblems, modelFromFile } from './model.ts';

const dir = mkdtempSync(join(tmpdir(), 'vocflow-analysis-'));

describe('the shipped model', () => {
  it('reproduces from the training command: same data, same seed → same weights and id', () => {
    const shipped = JSON.parse(readFileSync(MODEL_URL, 'utf8')) as ModelFile;
    const rebuilt = buildShippedModel().file;
    expect(rebuilt.id).toBe(shipped.id);
    expect(rebuilt.neutralBand).toEqual(shipped.neutralBand);
    expect(rebuilt.opinion?.threshold).toBe(shipped.opinion?.threshold);
    expect(rebuilt.index.length).toBe(shipped.index.length);
  }, 300_000);

  it('is at most 10 MB', () => {
    expect(readFileSync(MODEL_URL).length).toBeLessThanOrEqual(10 * 1024 * 1024);
  });
});

describe('training on your own labelled texts', () => {
  const lines = [
    ...[
      '售后很耐心，问题当天解决了',
      '物流很快，包装完好',
      '质量很好，很满意',
      'great support, fixed it fast',
      'love the new dashboard',
    ].map((text) => ({ text, label: 'positive' })),
    ...[
      '客服不理人，等了三天',
      '发错货了，退款也很慢',
      '用两天就坏了',
      'support never answered',
      'the app keeps crashing',
    ].map((text) => ({ text, label: 'negative' })),
    ...['我周三下的单', '发票在附件里', 'the invoice is attached', 'I called on Monday'].map((text) => ({
      text,
      label: 'neutral',
    })),
  ];
  const ndjson = lines.map((l) => JSON.stringify(l)).join('\n');

  it('builds a model file the analyzer loads, with bands calibrated on the neutral texts', () => {
    const result = buildModel(parseLabelledNdjson(ndjson), {
      idPrefix: 'custom',
      description: 'test',
      folds: 2,
    });
    const path = join(dir, 'custom.json');
    writeFileSync(path, JSON.stringify(result.file));
    const model = loadModelFile(path);
    expect(model.id).toMatch(/^custom-[0-9a-f]{8}$/);
    const analyzer = createAnalyzer({ model });
    expect(analyzer.version).toBe(`1.2.0+${model.id}`);
    expect(analyzer.analyze('客服不理人').score).toBeLessThan(analyzer.analyze('售后很耐心').score);
    expect(result.report.trainedOn.user).toEqual({ negative: 5, neutral: 4, positive: 5 });
  }, 120_000);

  it('is deterministic', () => {
    const a = buildModel(parseLabelledNdjson(ndjson), { idPrefix: 'custom', description: 'x', folds: 2 });
    const b = buildModel(parseLabelledNdjson(ndjson), { idPrefix: 'custom', description: 'x', folds: 2 });
    expect(a.file).toEqual(b.file);
  }, 120_000);

  it('names every bad line of the NDJSON', () => {
    expect(() =>
      parseLabelledNdjson(
        '{"text":"ok","label":"positive"}\nnot json\n{"text":"x","label":"meh"}\n{"label":"neutral"}',
      ),
    ).toThrow(
      /3 bad line\(s\): line 2: not JSON; line 3: "label" must be one of negative, neutral, positive; line 4: "text"/,
    );
  });

  it('refuses texts with no positive or no negative example', () => {
    expect(() =>
      buildModel(parseLabelledNdjson('{"text":"好","label":"positive"}'), { idPrefix: 'c', description: '' }),
    ).toThrow('no negative text to learn from');
  });
});

describe('model files', () => {
  it('refuses a malformed model file and says what is wrong', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({ id: 'x', bits: 12, bias: 'high', dense: { nope: 1 }, index: [1, 2], weight: [1] }),
    );
    expect(() => loadModelFile(path)).toThrow(
      new RegExp(
        `model file ${path} is malformed: "bits" must be 21.*"bias" must be a finite number.*unknown feature "nope".*differ in length`,
      ),
    );
  });

  it('refuses a file that is not JSON, or missing, naming it', () => {
    const path = join(dir, 'not-json.json');
    writeFileSync(path, '{"id": ');
    expect(() => loadModelFile(path)).toThrow(`model file ${path} is not JSON`);
    expect(() => loadModelFile(join(dir, 'absent.json'))).toThrow(/cannot read model file .*absent\.json/);
  });

  it('refuses out-of-range indexes and bands', () => {
    expect(
      modelFileProblems({
        id: 'x',
        bits: 21,
        bias: 0,
        dense: {},
        neutralBand: { en: 2, zh: 0.1 },
        index: [-1],
        weight: [0.5],
      }),
    ).toEqual([expect.stringContaining('index[0]'), expect.stringContaining('neutralBand.en')]);
  });

  it('refuses an opinion threshold outside [0, 1]', () => {
    const head = { bias: 0, dense: {}, index: [], weight: [] };
    const file = { id: 'x', bits: 21, bias: 0, dense: {}, index: [], weight: [] };
    expect(modelFileProblems({ ...file, opinion: { ...head, threshold: 1.5 } })).toEqual([
      '"opinion.threshold" must be a number in [0, 1]',
    ]);
    expect(modelFileProblems({ ...file, opinion: { ...head, threshold: 0.6 } })).toEqual([]);
    // files from before the threshold existed still load: the band alone decides
    expect(modelFileProblems({ ...file, opinion: head })).toEqual([]);
  });

  it('labels a text neutral when its opinion probability is below the threshold, whatever its score', () => {
    const shipped = JSON.parse(readFileSync(MODEL_URL, 'utf8')) as ModelFile;
    const text = 'The box contains a cable.';
    const withThreshold = createAnalyzer({ model: modelFromFile(shipped) });
    const r = withThreshold.analyze(text);
    expect(withThreshold.lastOpinion()).toBeLessThan(shipped.opinion!.threshold!);
    expect(r.label).toBe('neutral');
    const without = createAnalyzer({
      model: modelFromFile({ ...shipped, opinion: { ...shipped.opinion!, threshold: 0 } }),
    });
    // the same score, but with neither the threshold nor a band it gets the sign's label
    const bare = without.analyze(text);
    expect(bare.score).toBe(r.score);
    expect(bare.label).not.toBe('neutral');
  });
});

describe('calibration', () => {
  it('picks the band that separates neutral scores from opinions', () => {
    const scores = [0.9, 0.8, 0.7, -0.9, -0.8, -0.6, 0.2, -0.3, 0.1, 0.35];
    const gold = [
      'positive',
      'positive',
      'positive',
      'negative',
      'negative',
      'negative',
      'neutral',
      'neutral',
      'neutral',
      'neutral',
    ] as const;
    const band = calibrateBand(scores, [...gold], true);
    expect(band).toBeGreaterThan(0.35);
    expect(band).toBeLessThanOrEqual(0.6);
  });

  it('picks the opinion threshold and band that keep opinionated texts within the allowed loss', () => {
    // four opinionated reviews (one of them with a weak opinion) and four facts with a clear score
    const scores = [0.9, -0.8, 0.7, -0.5, 0.6, -0.6, 0.5, -0.7];
    const opinions = [0.99, 0.95, 0.9, 0.55, 0.2, 0.3, 0.1, 0.4];
    const gold = [
      'positive',
      'negative',
      'positive',
      'negative',
      'neutral',
      'neutral',
      'neutral',
      'neutral',
    ] as const;
    const reviews = {
      scores: scores.slice(0, 4),
      opinions: opinions.slice(0, 4),
      gold: [...gold.slice(0, 4)],
    };
    // no band separates the facts (their scores are as strong as the reviews'): the threshold does
    const strict = calibrateWithOpinion(scores, opinions, [...gold], true, { ...reviews, maxLoss: 0 });
    expect(strict).not.toBeNull();
    expect(strict!.threshold).toBeGreaterThan(0.4);
    expect(strict!.threshold).toBeLessThanOrEqual(0.55);
    expect(strict!.band).toBeLessThanOrEqual(0.5);
    // when the weak review has less opinion than the facts, no loss allowed means no useful threshold;
    // allowed to lose a quarter of the reviews, the threshold separates the facts at that review's cost
    const weak = [0.99, 0.95, 0.9, 0.15, 0.2, 0.3, 0.1, 0.4];
    const weakReviews = { ...reviews, opinions: weak.slice(0, 4) };
    const none = calibrateWithOpinion(scores, weak, [...gold], true, { ...weakReviews, maxLoss: 0 });
    expect(none!.threshold).toBeLessThanOrEqual(0.15);
    const loose = calibrateWithOpinion(scores, weak, [...gold], true, { ...weakReviews, maxLoss: 0.25 });
    expect(loose!.threshold).toBeGreaterThan(0.4);
    expect(calibrateWithOpinion([0.5], [0.9], ['positive'], true, { ...reviews, maxLoss: 0 })).toBeNull();
  });

  it('has nothing to calibrate without neutral texts', () => {
    expect(calibrateBand([0.5, -0.5], ['positive', 'negative'], true)).toBeNull();
  });

  it('computes macro-F1 over three classes', () => {
    const m = threeClassMetrics(['positive', 'neutral', 'negative'], ['positive', 'neutral', 'positive']);
    expect(m.macroF1).toBeCloseTo((2 / 3 + 1 + 0) / 3, 4);
    expect(m.binaryAccuracy).toBe(0.5);
  });
});
