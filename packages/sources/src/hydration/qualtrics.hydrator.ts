import type { RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { customerRef, pick } from '../adapters/adapter.ts';
import { toInstant } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, type FormMapping, resolveAnswers } from '../mapping.ts';

/** `GET /API/v3/surveys/{surveyId}/responses/{responseId}`. */
export const QualtricsResponse = z.looseObject({
  result: z.looseObject({
    responseId: z.string(),
    values: z.record(z.string(), z.unknown()),
    labels: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type QualtricsResponse = z.infer<typeof QualtricsResponse>;

const QUESTION = /^QID\d+(_[A-Za-z0-9]+)*$/;

/**
 * The full record from a Qualtrics response. Question values are the `QID…` keys; a `QIDn_NPS_GROUP`
 * key marks `QIDn` as Qualtrics' own NPS question; `QIDn_TEXT` keys are free text.
 */
export function hydrateQualtrics(
  raw: RawFeedback,
  response: QualtricsResponse,
  mapping: FormMapping,
): RawFeedback {
  const { values } = response.result;
  const npsQuestions = new Set(
    Object.keys(values)
      .filter((k) => k.endsWith('_NPS_GROUP'))
      .map((k) => k.slice(0, -'_NPS_GROUP'.length)),
  );
  const drafts: DraftAnswer[] = [];
  for (const [key, v] of Object.entries(values)) {
    if (!QUESTION.test(key) || key.endsWith('_NPS_GROUP')) continue;
    const value =
      typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? v
        : Array.isArray(v)
          ? v.map(String)
          : null;
    const isText = key.endsWith('_TEXT');
    drafts.push({
      questionId: key,
      type: npsQuestions.has(key) ? 'nps' : isText ? 'text' : 'choice',
      value,
      ...(npsQuestions.has(key) ? { defaultRole: 'nps' as const } : {}),
      freeText: isText,
    });
  }
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const customer = customerRef({
    id: pick(values, names.id) ?? pick(values, ['externalDataReference']),
    email: pick(values, names.email) ?? pick(values, ['recipientEmail']),
    handle: pick(values, names.handle),
  });
  return {
    ...raw,
    occurredAt: toInstant(values['endDate']) ?? toInstant(values['recordedDate']) ?? raw.occurredAt,
    customer: Object.keys(customer).length > 0 ? customer : raw.customer,
    ...resolved,
    hydration: { ...raw.hydration!, status: 'done' },
  };
}
