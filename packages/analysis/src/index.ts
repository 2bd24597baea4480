export {
  ANALYZER_RELEASE,
  type AnalysisResult,
  type Analyzer,
  type AnalyzerOptions,
  type AspectResult,
  analyze,
  createAnalyzer,
  labelOf,
  NEUTRAL_BAND,
  type SentimentLabel,
} from './analyzer.ts';
export { ASPECTS, type Aspect, LANGUAGES } from './lexicon.ts';
export { loadShippedModel, type Model } from './model.ts';
