import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, mappingFor, resolveAnswers } from '../mapping.ts';
import { verifyTally } from '../signature.ts';
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

export const TallyPayload = z.looseObject({
  eventId: z.string().min(1),
  eventType: z.literal('FORM_RESPONSE'),
  createdAt: z.string().min(1),
  data: z.looseObject({
    responseId: z.string().min(1),
    formId: z.string().min(1),
    formName: z.string().optional(),
    createdAt: z.string().min(1),
    fields: z
      .array(
        z.looseObject({
          key: z.string().min(1),
          label: z.string().nullish(),
          type: z.string().min(1),
          value: z.unknown(),
          options: z.array(z.looseObject({ id: z.string(), text: z.string() })).optional(),
        }),
      )
      .default([]),
  }),
});

const FREE_TEXT = new Set(['TEXTAREA', 'INPUT_TEXT']);

function toValue(field: z.infer<typeof TallyPayload>['data']['fields'][number]): Answer['value'] {
  const v = field.value;
  if (Array.isArray(v)) {
    const labels = new Map((field.options ?? []).map((o) => [o.id, o.text]));
    return v.map((x) => (typeof x === 'string' ? (labels.get(x) ?? x) : JSON.stringify(x)));
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return v === undefined ? null : JSON.stringify(v).slice(0, 4096);
}

/** Tally `FORM_RESPONSE` → one raw record; hidden fields name the customer. */
export function adaptTally(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const parsed = parseInput(TallyPayload, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const r = parsed.value.data;
  const occurredAt = toInstant(r.createdAt);
  if (!occurredAt) return invalid([{ path: 'data.createdAt', message: 'not a date' }]);
  const mapping = mappingFor(context.mappings, 'tally', r.formId);
  const hidden: Record<string, unknown> = {};
  const drafts: DraftAnswer[] = [];
  let email: string | undefined;
  for (const f of r.fields) {
    if (f.type === 'HIDDEN_FIELDS') {
      hidden[f.label ?? f.key] = f.value;
      continue;
    }
    if (f.type === 'INPUT_EMAIL' && typeof f.value === 'string') email ??= f.value;
    drafts.push({
      questionId: f.key,
      type: f.type,
      ...(f.label ? { title: f.label } : {}),
      value: toValue(f),
      freeText: FREE_TEXT.has(f.type),
    });
  }
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const customer = customerRef({
    id: pick(hidden, names.id),
    email: pick(hidden, names.email) ?? email,
    handle: pick(hidden, names.handle),
  });
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('tally', r.formId, r.responseId),
      version: versionFor(occurredAt, STAGE.finished),
      kind: 'survey_response',
      source: 'tally',
      channel: mapping.channel ?? 'survey',
      formId: r.formId,
      providerResponseId: r.responseId,
      occurredAt,
      receivedAt: context.receivedAt,
      customer,
      ...resolved,
      attributes: flatAttributes(hidden, r.formName ? { form_name: r.formName } : {}),
      ...originalOf(context),
    },
  ]);
}

/** The Tally webhook: `POST /v1/webhooks/tally`, secret `WEBHOOK_SECRET_TALLY`. */
export const tallySource = jsonWebhook(
  'tally',
  'WEBHOOK_SECRET_TALLY',
  (r, secrets) => verifyTally(r.raw, r.headers, secrets),
  adaptTally,
);
