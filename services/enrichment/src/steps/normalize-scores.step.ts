import type { NormalizedScores, NpsCategory, Scores } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import type { Normalized, Resolved } from '../types.ts';

export function npsCategory(score: number): NpsCategory {
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

/** As README's "Metrics, defined exactly": NPS 9–10 promoter, 7–8 passive, 0–6 detractor; CSAT satisfied = 4 or 5; CES as is. */
export function normalizeScores(scores: Scores): NormalizedScores {
  return {
    ...(scores.nps === undefined ? {} : { nps: { score: scores.nps, category: npsCategory(scores.nps) } }),
    ...(scores.csat === undefined ? {} : { csat: { score: scores.csat, satisfied: scores.csat >= 4 } }),
    ...(scores.ces === undefined ? {} : { ces: { score: scores.ces } }),
  };
}

export function createNormalizeScoresStep() {
  return function normalizeScoresStep(item: Resolved): StepResult<Normalized> {
    return ok({ ...item, normalized: normalizeScores(item.raw.scores) });
  };
}
