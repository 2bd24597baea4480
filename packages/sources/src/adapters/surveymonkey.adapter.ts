import type { RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { mappingFor } from '../mapping.ts';
import { verifySurveyMonkey } from '../signature.ts';
import { JSON_TYPES, type WebhookSource } from '../webhook-source.ts';
import { type Adapted, type AdapterContext, invalid, originalOf, parseInput, validated } from './adapter.ts';

export const SurveyMonkeyPayload = z.looseObject({
  event_type: z.string().min(1),
  event_id: z.string().min(1),
  object_type: z.string().optional(),
  object_id: z.string().min(1),
  event_datetime: z.string().min(1),
  resources: z.looseObject({
    survey_id: z.string().min(1),
    respondent_id: z.string().optional(),
    collector_id: z.string().optional(),
    recipient_id: z.string().optional(),
  }),
});

const STAGES: Record<string, number> = {
  response_created: STAGE.created,
  response_updated: STAGE.updated,
  response_completed: STAGE.finished,
  response_disqualified: STAGE.finished,
  response_overquota: STAGE.finished,
};

/**
 * SurveyMonkey sends ids only: the record is the envelope with `hydration.status = 'pending'`; the
 * hydrate step fetches the answers from the API before enrichment.
 */
export function adaptSurveyMonkey(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const parsed = parseInput(SurveyMonkeyPayload, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const p = parsed.value;
  if (p.object_type !== undefined && p.object_type !== 'response') {
    return invalid([
      { path: 'object_type', message: `only response events are accepted, got "${p.object_type}"` },
    ]);
  }
  const occurredAt = toInstant(p.event_datetime);
  if (!occurredAt) return invalid([{ path: 'event_datetime', message: 'not a date' }]);
  const surveyId = p.resources.survey_id;
  const responseId = p.resources.respondent_id ?? p.object_id;
  const mapping = mappingFor(context.mappings, 'surveymonkey', surveyId);
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('surveymonkey', surveyId, responseId),
      version: versionFor(occurredAt, STAGES[p.event_type] ?? STAGE.updated),
      kind: 'survey_response',
      source: 'surveymonkey',
      channel: mapping.channel ?? 'survey',
      formId: surveyId,
      providerResponseId: responseId,
      occurredAt,
      receivedAt: context.receivedAt,
      customer: {},
      answers: [],
      scores: {},
      texts: [],
      attributes: {
        event_type: p.event_type,
        ...(p.resources.collector_id ? { collector_id: p.resources.collector_id } : {}),
      },
      hydration: {
        provider: 'surveymonkey',
        status: 'pending',
        ref: {
          surveyId,
          responseId,
          ...(p.resources.collector_id ? { collectorId: p.resources.collector_id } : {}),
        },
      },
      ...originalOf(context),
    },
  ]);
}

export interface SurveyMonkeyCredentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/**
 * The SurveyMonkey webhook: `POST /v1/webhooks/surveymonkey` (and `HEAD`, which SurveyMonkey sends
 * before it subscribes a URL). Every configured key is tried with every configured secret (either may
 * be rotating).
 */
export const surveymonkeySource: WebhookSource<SurveyMonkeyCredentials> = {
  name: 'surveymonkey',
  path: '/v1/webhooks/surveymonkey',
  contentTypes: JSON_TYPES,
  body: 'json',
  secretVariables: ['SURVEYMONKEY_API_KEY', 'SURVEYMONKEY_API_SECRET'],
  secrets: (values) =>
    (values['SURVEYMONKEY_API_KEY'] ?? []).flatMap((apiKey) =>
      (values['SURVEYMONKEY_API_SECRET'] ?? []).map((apiSecret) => ({ apiKey, apiSecret })),
    ),
  verify: (r, credentials) => verifySurveyMonkey(r.raw, r.headers, credentials),
  adapt: (r, context) => adaptSurveyMonkey(r.json, context),
};
