import type { Answer, AnswerRole, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, mappingFor, resolveAnswers } from '../mapping.ts';
import { verifyDelighted } from '../signature.ts';
import { jsonWebhook } from '../webhook-source.ts';
import {
  type Adapted,
  type AdapterContext,
  customerRef,
  flatAttributes,
  invalid,
  originalOf,
  parseInput,
  pick,
  validated,
} from './adapter.ts';

export const DelightedPayload = z.looseObject({
  event_type: z.enum(['survey_response.created', 'survey_response.updated']),
  event_id: z.string().optional(),
  event_data: z.looseObject({
    id: z.union([z.string().min(1), z.number()]).transform(String),
    person: z
      .looseObject({
        id: z.union([z.string(), z.number()]).optional(),
        email: z.string().nullish(),
        name: z.string().nullish(),
      })
      .nullish(),
    survey_type: z.string().optional(),
    score: z.number().nullish(),
    comment: z.string().nullish(),
    created_at: z.number(),
    updated_at: z.number().optional(),
    person_properties: z.record(z.string(), z.unknown()).nullish(),
    additional_answers: z
      .array(
        z.looseObject({
          id: z.union([z.string(), z.number()]).transform(String),
          value: z.record(z.string(), z.unknown()).nullish(),
          question: z.looseObject({ id: z.string(), type: z.string(), text: z.string().optional() }),
        }),
      )
      .default([]),
  }),
});

/** Delighted's `survey_type` says what the score is (their own question types). */
const SCORE_ROLES: Record<string, AnswerRole> = { nps: 'nps', csat: 'csat', ces: 'ces' };

function additionalValue(value: Record<string, unknown> | null | undefined): Answer['value'] {
  if (!value) return null;
  if (typeof value['free_response'] === 'string') return value['free_response'];
  if (typeof value['scale'] === 'number') return value['scale'];
  const one = value['select_one'] as { text?: string } | null | undefined;
  if (one?.text) return one.text;
  const many = value['select_many'] as { text?: string }[] | null | undefined;
  if (Array.isArray(many)) return many.map((m) => m.text ?? '');
  return null;
}

/** Delighted `survey_response.created|updated` → one raw record; `updated` replaces `created`. */
export function adaptDelighted(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const parsed = parseInput(DelightedPayload, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const { event_type, event_data: r } = parsed.value;
  const occurredAt = toInstant(r.created_at);
  if (!occurredAt) return invalid([{ path: 'event_data.created_at', message: 'not a date' }]);
  const surveyType = r.survey_type ?? 'nps';
  const mapping = mappingFor(context.mappings, 'delighted', surveyType);
  const scoreRole = SCORE_ROLES[surveyType];
  const drafts: DraftAnswer[] = [
    {
      questionId: 'score',
      type: surveyType,
      value: r.score ?? null,
      ...(scoreRole ? { defaultRole: scoreRole } : {}),
    },
    ...(r.comment
      ? [
          {
            questionId: 'comment',
            type: 'comment',
            value: r.comment,
            defaultRole: 'comment' as const,
            freeText: true,
          },
        ]
      : []),
    ...r.additional_answers.map((a) => ({
      questionId: a.question.id,
      type: a.question.type,
      ...(a.question.text ? { title: a.question.text } : {}),
      value: additionalValue(a.value),
      freeText: a.question.type === 'free_response',
    })),
  ];
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const props = r.person_properties ?? {};
  const customer = customerRef({
    id: pick(props, names.id),
    email: pick(props, names.email) ?? r.person?.email ?? undefined,
    handle: pick(props, names.handle),
  });
  const stage = event_type === 'survey_response.created' ? STAGE.created : STAGE.updated;
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('delighted', r.id),
      version: versionFor(toInstant(r.updated_at ?? r.created_at) ?? occurredAt, stage),
      kind: 'survey_response',
      source: 'delighted',
      channel: mapping.channel ?? 'survey',
      formId: surveyType,
      providerResponseId: r.id,
      occurredAt,
      receivedAt: context.receivedAt,
      customer,
      ...resolved,
      attributes: flatAttributes(props, { survey_type: surveyType }),
      ...originalOf(context),
    },
  ]);
}

/** The Delighted webhook: `POST /v1/webhooks/delighted`, secret `WEBHOOK_SECRET_DELIGHTED`. */
export const delightedSource = jsonWebhook(
  'delighted',
  'WEBHOOK_SECRET_DELIGHTED',
  (r, secrets) => verifyDelighted(r.raw, r.headers, secrets),
  adaptDelighted,
);
