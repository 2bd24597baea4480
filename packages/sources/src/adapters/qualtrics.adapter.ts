import type { RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { mappingFor } from '../mapping.ts';
import { verifyQualtrics } from '../signature.ts';
import { listed, type WebhookSource } from '../webhook-source.ts';
import { type Adapted, type AdapterContext, invalid, originalOf, parseInput, validated } from './adapter.ts';

/** The decoded form: `Topic`, `MSG` (a JSON string), `HMAC`. */
export const QualtricsForm = z.looseObject({ Topic: z.string().min(1), MSG: z.string().min(2) });

export const QualtricsMessage = z.looseObject({
  SurveyID: z.string().min(1),
  ResponseID: z.string().min(1),
  Status: z.string().optional(),
  CompletedDate: z.string().optional(),
  BrandID: z.string().optional(),
  DistributionChannel: z.string().optional(),
  RecipientID: z.string().optional(),
});

/** Qualtrics event subscription (form-urlencoded, ids only) → a pending envelope to hydrate. */
export function adaptQualtrics(form: Record<string, string>, context: AdapterContext): Adapted<RawFeedback> {
  const parsedForm = parseInput(QualtricsForm, form);
  if (!parsedForm.ok) return invalid(parsedForm.issues);
  let msg: unknown;
  try {
    msg = JSON.parse(parsedForm.value.MSG);
  } catch {
    return invalid([{ path: 'MSG', message: 'not JSON' }]);
  }
  const parsed = parseInput(QualtricsMessage, msg, 'MSG');
  if (!parsed.ok) return invalid(parsed.issues);
  const m = parsed.value;
  const topic = parsedForm.value.Topic;
  const occurredAt = toInstant(m.CompletedDate) ?? context.receivedAt;
  const stage = topic.includes('.partialResponse') ? STAGE.updated : STAGE.finished;
  const mapping = mappingFor(context.mappings, 'qualtrics', m.SurveyID);
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('qualtrics', m.SurveyID, m.ResponseID),
      version: versionFor(occurredAt, stage),
      kind: 'survey_response',
      source: 'qualtrics',
      channel: mapping.channel ?? 'survey',
      formId: m.SurveyID,
      providerResponseId: m.ResponseID,
      occurredAt,
      receivedAt: context.receivedAt,
      customer: {},
      answers: [],
      scores: {},
      texts: [],
      attributes: {
        topic: topic.slice(0, 4096),
        ...(m.DistributionChannel ? { distribution_channel: m.DistributionChannel } : {}),
      },
      hydration: {
        provider: 'qualtrics',
        status: 'pending',
        ref: { surveyId: m.SurveyID, responseId: m.ResponseID, ...(m.BrandID ? { brandId: m.BrandID } : {}) },
      },
      ...originalOf(context),
    },
  ]);
}

/** The Qualtrics webhook: `POST /v1/webhooks/qualtrics`, secret `WEBHOOK_SECRET_QUALTRICS`. */
export const qualtricsSource: WebhookSource = {
  name: 'qualtrics',
  path: '/v1/webhooks/qualtrics',
  contentTypes: ['application/x-www-form-urlencoded'],
  body: 'form',
  secretVariables: ['WEBHOOK_SECRET_QUALTRICS'],
  secrets: listed('WEBHOOK_SECRET_QUALTRICS'),
  verify: (r, secrets) => verifyQualtrics(r.form?.['MSG'], r.form?.['HMAC'], secrets),
  adapt: (r, context) => adaptQualtrics({ ...r.form }, context),
};
