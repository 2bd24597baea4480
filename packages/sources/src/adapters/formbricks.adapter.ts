import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, mappingFor, resolveAnswers } from '../mapping.ts';
import { verifyStandardWebhooks } from '../signature.ts';
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

export const FormbricksPayload = z.looseObject({
  webhookId: z.string().optional(),
  event: z.enum(['responseCreated', 'responseUpdated', 'responseFinished']),
  data: z.looseObject({
    id: z.string().min(1),
    createdAt: z.string().min(1),
    updatedAt: z.string().optional(),
    surveyId: z.string().min(1),
    finished: z.boolean().optional(),
    contact: z.looseObject({ id: z.string().optional(), userId: z.string().optional() }).nullish(),
    contactAttributes: z.record(z.string(), z.unknown()).nullish(),
    data: z.record(z.string(), z.unknown()).default({}),
    language: z.string().nullish(),
    /** Present when the survey definition is included: question types and titles. */
    survey: z
      .looseObject({
        questions: z
          .array(
            z.looseObject({ id: z.string(), type: z.string().optional(), headline: z.unknown().optional() }),
          )
          .optional(),
      })
      .nullish(),
  }),
});

const STAGES = {
  responseCreated: STAGE.created,
  responseUpdated: STAGE.updated,
  responseFinished: STAGE.finished,
} as const;

function toValue(v: unknown): Answer['value'] {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return JSON.stringify(v ?? null).slice(0, 4096);
}

function headline(h: unknown): string | undefined {
  if (typeof h === 'string') return h;
  if (h && typeof h === 'object' && typeof (h as Record<string, unknown>)['default'] === 'string') {
    return (h as Record<string, string>)['default'];
  }
  return undefined;
}

/** Formbricks response events (Standard Webhooks signed) → one raw record per response version. */
export function adaptFormbricks(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const parsed = parseInput(FormbricksPayload, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const { event, data: r } = parsed.value;
  const occurredAt = toInstant(r.createdAt);
  if (!occurredAt) return invalid([{ path: 'data.createdAt', message: 'not a date' }]);
  const versionAt = toInstant(r.updatedAt) ?? occurredAt;
  const mapping = mappingFor(context.mappings, 'formbricks', r.surveyId);
  const questions = new Map((r.survey?.questions ?? []).map((q) => [q.id, q]));
  const drafts: DraftAnswer[] = Object.entries(r.data).map(([questionId, value]) => {
    const q = questions.get(questionId);
    const type =
      q?.type ?? (typeof value === 'number' ? 'number' : Array.isArray(value) ? 'array' : typeof value);
    const title = headline(q?.headline);
    return {
      questionId,
      type,
      ...(title === undefined ? {} : { title }),
      value: toValue(value),
      ...(type === 'nps' ? { defaultRole: 'nps' as const } : {}),
      freeText: type === 'openText' || (q === undefined && typeof value === 'string'),
    };
  });
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const attrs = r.contactAttributes ?? {};
  const customer = customerRef({
    id: pick(attrs, names.id) ?? r.contact?.userId,
    email: pick(attrs, names.email),
    handle: pick(attrs, names.handle),
  });
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('formbricks', r.surveyId, r.id),
      version: versionFor(versionAt, STAGES[event]),
      kind: 'survey_response',
      source: 'formbricks',
      channel: mapping.channel ?? 'survey',
      formId: r.surveyId,
      providerResponseId: r.id,
      occurredAt,
      receivedAt: context.receivedAt,
      customer,
      ...resolved,
      attributes: flatAttributes(attrs, {
        event,
        finished: r.finished ?? null,
        language: r.language ?? null,
      }),
      ...originalOf(context),
    },
  ]);
}

/** The Formbricks webhook: `POST /v1/webhooks/formbricks`, secret `WEBHOOK_SECRET_FORMBRICKS`. */
export const formbricksSource = jsonWebhook(
  'formbricks',
  'WEBHOOK_SECRET_FORMBRICKS',
  (r, secrets, options) => verifyStandardWebhooks(r.raw, r.headers, secrets, options),
  adaptFormbricks,
);
