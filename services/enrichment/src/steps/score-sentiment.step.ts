import type { RawFeedback } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import type { Analyzer, Normalized, Scored } from '../types.ts';

/**
 * All free text of an item: its text parts (comment answers, interview notes, mention text) and any
 * comment answer not already among them, in order, one per line.
 */
export function freeTextOf(raw: RawFeedback): string {
  const parts: string[] = [];
  const seen = new Set<string>();
  const add = (text: string) => {
    const t = text.trim();
    if (t.length === 0 || seen.has(t)) return;
    seen.add(t);
    parts.push(t);
  };
  for (const part of raw.texts) add(part.text);
  for (const answer of raw.answers)
    if (answer.role === 'comment' && typeof answer.value === 'string') add(answer.value);
  return parts.join('\n');
}

/** Sentiment and aspects over all text of the item; null when it has none. */
export function createScoreSentimentStep({ analyzer }: { analyzer: Analyzer }) {
  return function scoreSentimentStep(item: Normalized): StepResult<Scored> {
    const text = freeTextOf(item.raw);
    return ok({ ...item, sentiment: text.length === 0 ? null : analyzer.analyze(text) });
  };
}
