import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { customerRef, flatAttributes, pick } from '../adapters/adapter.ts';
import { toInstant } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, type FormMapping, resolveAnswers } from '../mapping.ts';

/** `GET /v3/surveys/{id}/details`: question families, headings and choices. */
export const SurveyMonkeySurvey = z.looseObject({
  id: z.string(),
  title: z.string().optional(),
  pages: z
    .array(
      z.looseObject({
        questions: z
          .array(
            z.looseObject({
              id: z.string(),
              family: z.string().optional(),
              subtype: z.string().optional(),
              headings: z.array(z.looseObject({ heading: z.string().optional() })).optional(),
              answers: z
                .looseObject({
                  choices: z
                    .array(
                      z.looseObject({
                        id: z.string(),
                        text: z.string().optional(),
                        weight: z.number().optional(),
                      }),
                    )
                    .optional(),
                  rows: z.array(z.looseObject({ id: z.string(), text: z.string().optional() })).optional(),
                  other: z.looseObject({ id: z.string() }).optional(),
                })
                .optional(),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});
export type SurveyMonkeySurvey = z.infer<typeof SurveyMonkeySurvey>;

/** `GET /v3/surveys/{survey_id}/responses/{response_id}/details`. */
export const SurveyMonkeyResponse = z.looseObject({
  id: z.string(),
  survey_id: z.string().optional(),
  response_status: z.string().optional(),
  date_created: z.string().optional(),
  date_modified: z.string().optional(),
  email_address: z.string().optional(),
  custom_variables: z.record(z.string(), z.unknown()).nullish(),
  metadata: z.looseObject({ contact: z.record(z.string(), z.unknown()).optional() }).nullish(),
  pages: z
    .array(
      z.looseObject({
        questions: z
          .array(
            z.looseObject({
              id: z.string(),
              answers: z
                .array(
                  z.looseObject({
                    choice_id: z.string().optional(),
                    row_id: z.string().optional(),
                    other_id: z.string().optional(),
                    text: z.string().optional(),
                  }),
                )
                .default([]),
            }),
          )
          .default([]),
      }),
    )
    .default([]),
});
export type SurveyMonkeyResponse = z.infer<typeof SurveyMonkeyResponse>;

const FREE_TEXT = new Set(['open_ended']);

function contactValue(v: unknown): unknown {
  // metadata.contact values look like {"type": "string", "value": "…"}.
  return v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v;
}

/** The full record from a SurveyMonkey response and its survey's definition. */
export function hydrateSurveyMonkey(
  raw: RawFeedback,
  response: SurveyMonkeyResponse,
  survey: SurveyMonkeySurvey,
  mapping: FormMapping,
): RawFeedback {
  const questions = new Map(survey.pages.flatMap((p) => p.questions).map((q) => [q.id, q]));
  const drafts: DraftAnswer[] = [];
  for (const q of response.pages.flatMap((p) => p.questions)) {
    const def = questions.get(q.id);
    const choices = new Map((def?.answers?.choices ?? []).map((c) => [c.id, c]));
    const type = [def?.family, def?.subtype].filter(Boolean).join('.') || 'unknown';
    const values: (string | number)[] = [];
    for (const a of q.answers) {
      if (a.choice_id !== undefined) {
        const c = choices.get(a.choice_id);
        const numericText = c?.text !== undefined && /^\d+$/.test(c.text.trim()) ? Number(c.text) : undefined;
        values.push(c?.weight ?? numericText ?? c?.text ?? a.choice_id);
      } else if (a.text !== undefined) values.push(a.text);
    }
    const value: Answer['value'] =
      values.length === 0 ? null : values.length === 1 ? values[0]! : values.map((v) => String(v));
    const title = def?.headings?.[0]?.heading;
    drafts.push({
      questionId: q.id,
      type,
      ...(title ? { title } : {}),
      value,
      ...(def?.subtype === 'nps' ? { defaultRole: 'nps' as const } : {}),
      freeText: FREE_TEXT.has(def?.family ?? ''),
    });
  }
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const vars = response.custom_variables ?? {};
  const contact = Object.fromEntries(
    Object.entries(response.metadata?.contact ?? {}).map(([k, v]) => [k, contactValue(v)]),
  );
  const customer = customerRef({
    id: pick(vars, names.id) ?? pick(contact, names.id),
    email: pick(vars, names.email) ?? (response.email_address || undefined) ?? pick(contact, ['email']),
    handle: pick(vars, names.handle),
  });
  return {
    ...raw,
    occurredAt: toInstant(response.date_modified) ?? toInstant(response.date_created) ?? raw.occurredAt,
    customer: Object.keys(customer).length > 0 ? customer : raw.customer,
    ...resolved,
    attributes: {
      ...raw.attributes,
      ...flatAttributes(vars),
      ...(response.response_status ? { response_status: response.response_status } : {}),
    },
    hydration: { ...raw.hydration!, status: 'done' },
  };
}
