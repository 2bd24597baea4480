import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { customerFieldNames, type DraftAnswer, mappingFor, resolveAnswers } from '../mapping.ts';
import { verifyUrlToken } from '../signature.ts';
import { listed, type WebhookSource } from '../webhook-source.ts';
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

/** The multipart fields of a Jotform webhook; `rawRequest` is the submission's answers as a JSON string. */
export const JotformForm = z.looseObject({
  formID: z.string().trim().min(1).max(64),
  submissionID: z.string().trim().min(1).max(64),
  formTitle: z.string().max(512).optional(),
  rawRequest: z.string().min(2),
});

/** Answers are the `q<number>_<name>` keys of rawRequest; the rest is Jotform's own bookkeeping. */
const QUESTION_KEY = /^q\d{1,6}_/;
/** Jotform's `event_id` starts with the submission time in milliseconds (`1768471477123_<form>_<x>`). */
const EVENT_TIME = /^(\d{13})_/;

function toValue(value: unknown): Answer['value'] {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null)
    return value;
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  // Composite questions (a full name, an address) arrive as objects: kept as their JSON, bounded.
  return value === undefined ? null : JSON.stringify(value).slice(0, 4096);
}

/**
 * A Jotform submission → one raw record. `submissionID` is the idempotency key; the mapping names
 * questions by their rawRequest key (`q3_howLikely`) under the form's `formID`.
 */
export function adaptJotform(
  form: Readonly<Record<string, string>>,
  context: AdapterContext,
): Adapted<RawFeedback> {
  const parsed = parseInput(JotformForm, form);
  if (!parsed.ok) return invalid(parsed.issues);
  const f = parsed.value;
  let raw: unknown;
  try {
    raw = JSON.parse(f.rawRequest);
  } catch {
    return invalid([{ path: 'rawRequest', message: 'not JSON' }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return invalid([{ path: 'rawRequest', message: 'expected a JSON object' }]);
  const request = raw as Record<string, unknown>;
  const mapping = mappingFor(context.mappings, 'jotform', f.formID);
  const drafts: DraftAnswer[] = Object.entries(request)
    .filter(([key]) => QUESTION_KEY.test(key))
    .map(([key, value]) => ({ questionId: key, type: 'jotform', value: toValue(value) }));
  const resolved = resolveAnswers(drafts, mapping);
  const names = customerFieldNames(mapping);
  const eventTime =
    typeof request['event_id'] === 'string' ? EVENT_TIME.exec(request['event_id'])?.[1] : undefined;
  const occurredAt = (eventTime && toInstant(Number(eventTime))) || context.receivedAt;
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('jotform', f.formID, f.submissionID),
      version: versionFor(occurredAt, STAGE.finished),
      kind: 'survey_response',
      source: 'jotform',
      channel: mapping.channel ?? 'survey',
      formId: f.formID,
      providerResponseId: f.submissionID,
      occurredAt,
      receivedAt: context.receivedAt,
      customer: customerRef({
        id: pick(request, names.id),
        email: pick(request, names.email),
        handle: pick(request, names.handle),
      }),
      ...resolved,
      attributes: flatAttributes(f.formTitle ? { form_title: f.formTitle } : {}),
      ...originalOf(context),
    },
  ]);
}

/**
 * The Jotform webhook: `POST /v1/webhooks/jotform/{token}` (multipart/form-data). Jotform signs
 * nothing, so the unguessable token in the URL is the secret, `WEBHOOK_SECRET_JOTFORM`.
 */
export const jotformSource: WebhookSource = {
  name: 'jotform',
  path: '/v1/webhooks/jotform/:token',
  contentTypes: ['multipart/form-data'],
  body: 'multipart',
  secretVariables: ['WEBHOOK_SECRET_JOTFORM'],
  secrets: listed('WEBHOOK_SECRET_JOTFORM'),
  verify: (r, tokens) => verifyUrlToken(r.params['token'], tokens),
  adapt: (r, context) => adaptJotform(r.form ?? {}, context),
};
