export {
  ANALYZER_RELEASE,
  type AnalysisResult,
  type Analyzer,
  type AnalyzerOptions,
  type AspectResult,
  analyze,
  bandOf,
  createAnalyzer,
  labelOf,
  NEUTRAL_BAND,
  type SentimentLabel,
  SUPPORTED_LANGUAGES,
} from './analyzer.ts';
export {
  type BuildReport,
  type BuildResult,
  buildModel,
  buildShippedModel,
  formatBuildReport,
  SHIPPED_MODEL_URL,
  writeModelFile,
} from './build.ts';
export { type LabelledText, parseLabelledNdjson } from './corpus.ts';
export { DEFAULT_SHARED_DIR, FIGURES_URL, type Figures, measureFigures, writeFigures } from './figures.ts';
export { ASPECTS, type Aspect, LANGUAGES } from './lexicon.ts';
export { loadModelFile, loadShippedModel, type Model, modelFileProblems } from './model.ts';
