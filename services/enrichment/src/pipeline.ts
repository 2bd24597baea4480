import { type InboundMessage, pipe, type StepResult } from '@vocflow/kafka';
import type { AlertRule } from './alerts.rules.ts';
import type { CustomerLookup, RefKeying } from './customer-table.store.ts';
import type { PiiRedactor } from './pii.redactor.ts';
import { createRecordProfile } from './record-profile.ts';
import type { SegmentRule } from './segments.rules.ts';
import { createApplyInputLimitsStep, type InputLimits } from './steps/apply-input-limits.step.ts';
import { createAssignSegmentsStep } from './steps/assign-segments.step.ts';
import { createBuildEnrichedStep } from './steps/build-enriched.step.ts';
import { createEvaluateAlertsStep } from './steps/evaluate-alerts.step.ts';
import { createHydrateStep, type Hydrator } from './steps/hydrate.step.ts';
import { createNormalizeScoresStep } from './steps/normalize-scores.step.ts';
import { createParseRawStep } from './steps/parse-raw.step.ts';
import { createResolveCustomerStep } from './steps/resolve-customer.step.ts';
import { createScoreSentimentStep } from './steps/score-sentiment.step.ts';
import type { Analyzer, EnrichmentOutput } from './types.ts';

export interface PipelineDeps {
  readonly analyzer: Analyzer;
  readonly customers: CustomerLookup;
  readonly redactor: PiiRedactor;
  /** With PII redaction: how the customer reference's email and handle are pseudonymized in the record. */
  readonly keying?: RefKeying | undefined;
  /** Characters of an item's text the analyser scores (default DEFAULT_ANALYSIS_MAX_CHARS). */
  readonly analysisMaxChars?: number | undefined;
  readonly segmentRules: readonly SegmentRule[];
  /** Which attributes form automatic segments (default: DEFAULT_SEGMENT_ATTRIBUTES). */
  readonly segmentAttributes?: readonly string[] | undefined;
  /** Event time window and channel vocabulary (default: the contract's defaults). */
  readonly inputLimits?: InputLimits | undefined;
  readonly alertRules: readonly AlertRule[];
  readonly hydrator?: Hydrator | undefined;
  readonly now?: () => Date;
}

/** One `feedback.raw.v1` record in, one enriched record and its alerts out. */
export function createEnrichmentPipeline(
  deps: PipelineDeps,
): (message: InboundMessage) => Promise<StepResult<EnrichmentOutput>> {
  const now = deps.now ?? (() => new Date());
  const pipeline = pipe(
    createParseRawStep(),
    createHydrateStep({ hydrator: deps.hydrator }),
    createApplyInputLimitsStep(deps.inputLimits),
    createResolveCustomerStep({ customers: deps.customers }),
    createNormalizeScoresStep(),
    createScoreSentimentStep({ analyzer: deps.analyzer, maxChars: deps.analysisMaxChars }),
    createAssignSegmentsStep({ rules: deps.segmentRules, attributes: deps.segmentAttributes }),
    createBuildEnrichedStep({
      redactor: deps.redactor,
      now,
      keying: deps.keying,
      recordProfile: createRecordProfile({ alertRules: deps.alertRules, redactor: deps.redactor }),
    }),
    createEvaluateAlertsStep({ rules: deps.alertRules, now }),
  );
  return async (message) => pipeline(message);
}
