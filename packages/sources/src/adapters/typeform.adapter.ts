import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, mappingFor, resolveAnswers } from '../mapping.ts';
import { verifyTypeform } from '../signature.ts';
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

const Field = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  ref: z.string().optional(),
  title: z.string().optional(),
});

export const TypeformPayload = z.looseObject({
  event_id: z.string().min(1),
  event_type: z.string().min(1),
  form_response: z.looseObject({
    form_id: z.string().min(1),
    token: z.string().min(1),
    submitted_at: z.string().min(1),
    landed_at: z.string().optional(),
    hidden: z.record(z.string(), z.unknown()).optional(),
    definition: z.looseObject({ fields: z.array(Field).optional(), title: z.string().optional() }).optional(),
    answers: z.array(z.looseObject({ type: z.string(), field: Field })).default([]),
  }),
});

const FREE_TEXT = new Set(['long_text', 'short_text']);
/** Typeform's own question types that mean a role. Only `nps` is Typeform's NPS question. */
const DEFAULT_ROLES: Record<string, Answer['role']> = { nps: 'nps' };

function answerValue(a: Record<string, unknown>): Answer['value'] {
  switch (a['type']) {
    case 'choice':
      return (
        (a['choice'] as { label?: string; other?: string } | undefined)?.label ??
        (a['choice'] as { other?: string })?.other ??
        null
      );
    case 'choices': {
      const c = a['choices'] as { labels?: string[]; other?: string } | undefined;
      return [...(c?.labels ?? []), ...(c?.other ? [c.other] : [])];
    }
    default: {
      const v = a[String(a['type'])];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return v === undefined || v === null ? null : JSON.stringify(v).slice(0, 4096);
    }
  }
}

/** Typeform `form_response` (and `form_response_partial`) → one raw record. */
export function adaptTypeform(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const parsed = parseInput(TypeformPayload, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const { form_response: r, event_type } = parsed.value;
  const occurredAt = toInstant(r.submitted_at);
  if (!occurredAt) return invalid([{ path: 'form_response.submitted_at', message: 'not a date' }]);
  const mapping = mappingFor(context.mappings, 'typeform', r.form_id);
  const titles = new Map((r.definition?.fields ?? []).map((f) => [f.id, f.title]));
  const drafts: DraftAnswer[] = r.answers.map((a) => {
    const type = a.field.type ?? a.type;
    const title = titles.get(a.field.id);
    const role = DEFAULT_ROLES[type];
    return {
      questionId: a.field.id,
      aliases: a.field.ref ? [a.field.ref] : [],
      type,
      ...(title === undefined ? {} : { title }),
      value: answerValue(a),
      ...(role ? { defaultRole: role } : {}),
      freeText: FREE_TEXT.has(type),
    };
  });
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const hidden = r.hidden ?? {};
  const emailAnswer = r.answers.find((a) => a.type === 'email')?.['email'];
  const customer = customerRef({
    id: pick(hidden, names.id),
    email: pick(hidden, names.email) ?? (typeof emailAnswer === 'string' ? emailAnswer : undefined),
    handle: pick(hidden, names.handle),
  });
  const stage = event_type === 'form_response_partial' ? STAGE.updated : STAGE.finished;
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('typeform', r.form_id, r.token),
      version: versionFor(occurredAt, stage),
      kind: 'survey_response',
      source: 'typeform',
      channel: mapping.channel ?? 'survey',
      formId: r.form_id,
      providerResponseId: r.token,
      occurredAt,
      receivedAt: context.receivedAt,
      customer,
      ...resolved,
      attributes: flatAttributes(hidden, { event_type }),
      ...originalOf(context),
    },
  ]);
}

/** The Typeform webhook: `POST /v1/webhooks/typeform`, secret `WEBHOOK_SECRET_TYPEFORM`. */
export const typeformSource = jsonWebhook(
  'typeform',
  'WEBHOOK_SECRET_TYPEFORM',
  (r, secrets) => verifyTypeform(r.raw, r.headers, secrets),
  adaptTypeform,
);
