import type { RawFeedback } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import type { Analyzer, Normalized, Scored } from '../types.ts';

/** How many characters of an item's text the analyser scores unless `ANALYSIS_MAX_CHARS` says otherwise. */
export const DEFAULT_ANALYSIS_MAX_CHARS = 20_000;

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

/** The first `maxChars` UTF-16 units of `text`, one fewer rather than half a surrogate pair. */
export function headOf(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const last = text.charCodeAt(maxChars - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? maxChars - 1 : maxChars);
}

/**
 * Sentiment and aspects over the item's text; null when it has none. Only the first `maxChars`
 * characters are scored (default DEFAULT_ANALYSIS_MAX_CHARS), so one huge note costs no more than a
 * long one; the record keeps the whole text (redacted) either way.
 */
export function createScoreSentimentStep({
  analyzer,
  maxChars = DEFAULT_ANALYSIS_MAX_CHARS,
}: {
  analyzer: Analyzer;
  maxChars?: number | undefined;
}) {
  return function scoreSentimentStep(item: Normalized): StepResult<Scored> {
    const text = headOf(freeTextOf(item.raw), maxChars);
    return ok({ ...item, sentiment: text.length === 0 ? null : analyzer.analyze(text) });
  };
}
