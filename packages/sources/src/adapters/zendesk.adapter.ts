import type { Answer, RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { mappingFor } from '../mapping.ts';
import { verifyZendesk } from '../signature.ts';
import { jsonWebhook } from '../webhook-source.ts';
import {
  type Adapted,
  type AdapterContext,
  customerRef,
  invalid,
  originalOf,
  parseInput,
  validated,
} from './adapter.ts';

/**
 * The body of the Zendesk trigger's webhook (Zendesk has no "satisfaction rated" event: a trigger on
 * "Satisfaction is Good/Bad" posts this JSON, its placeholders filled in). docs/ingest.md gives the
 * template to paste into Zendesk.
 */
export const ZendeskSatisfaction = z.looseObject({
  ticket: z.looseObject({
    id: z.union([z.string().trim().min(1).max(64), z.number().int().nonnegative()]).transform(String),
    requester_external_id: z.string().max(256).optional(),
    requester_email: z.string().max(320).optional(),
    group: z.string().max(256).optional(),
    organization_name: z.string().max(256).optional(),
    /** Optional in the template: `{{ticket.updated_at_with_timestamp}}` orders re-ratings exactly. */
    updated_at: z.string().max(64).optional(),
  }),
  satisfaction: z.looseObject({
    current_rating: z.string().max(64),
    current_comment: z.string().max(100_000).optional(),
  }),
});

/** Zendesk's two ratings on the CSAT scale (1–5): `Good` is the top, `Bad` the bottom. */
const CSAT_OF_RATING: Readonly<Record<string, number>> = { good: 5, bad: 1 };

/** `Good`, `Bad`, also as Zendesk words them with a comment (`Good with comment`). */
function csatOf(rating: string): number | undefined {
  return CSAT_OF_RATING[
    rating
      .trim()
      .toLowerCase()
      .replace(/ with comment$/, '')
  ];
}

/** A non-empty placeholder value: Zendesk leaves an empty string where the ticket has none. */
const present = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/**
 * A Zendesk satisfaction rating → one raw record. The ticket id is the idempotency key (a re-rated
 * ticket is a later version of the same feedback); the requester is the customer.
 */
export function adaptZendesk(
  body: unknown,
  context: AdapterContext,
  sentAt?: string | undefined,
): Adapted<RawFeedback> {
  const parsed = parseInput(ZendeskSatisfaction, body);
  if (!parsed.ok) return invalid(parsed.issues);
  const { ticket, satisfaction } = parsed.value;
  const csat = csatOf(satisfaction.current_rating);
  if (csat === undefined)
    return invalid([
      { path: 'satisfaction.current_rating', message: 'expected "Good" or "Bad" (a rated ticket)' },
    ]);
  const occurredAt = toInstant(ticket.updated_at) ?? toInstant(sentAt) ?? context.receivedAt;
  const comment = present(satisfaction.current_comment);
  const answers: Answer[] = [
    {
      questionId: 'satisfaction.current_rating',
      type: 'rating',
      value: satisfaction.current_rating,
      role: 'csat',
    },
    ...(comment
      ? [
          {
            questionId: 'satisfaction.current_comment',
            type: 'text',
            value: comment,
            role: 'comment' as const,
          },
        ]
      : []),
  ];
  const mapping = mappingFor(context.mappings, 'zendesk', undefined);
  return validated([
    {
      schema: 'feedback.raw.v1',
      feedbackId: feedbackIdFor('zendesk', ticket.id),
      version: versionFor(occurredAt, STAGE.finished),
      kind: 'survey_response',
      source: 'zendesk',
      channel: mapping.channel ?? 'support',
      providerResponseId: ticket.id,
      occurredAt,
      receivedAt: context.receivedAt,
      customer: customerRef({
        id: present(ticket.requester_external_id),
        email: present(ticket.requester_email),
      }),
      answers,
      scores: { csat },
      texts: comment ? [{ field: 'satisfaction.current_comment', text: comment }] : [],
      attributes: {
        ...(present(ticket.group) ? { group: present(ticket.group)! } : {}),
        ...(present(ticket.organization_name) ? { organization: present(ticket.organization_name)! } : {}),
      },
      ...originalOf(context),
    },
  ]);
}

const TIMESTAMP = 'x-zendesk-webhook-signature-timestamp';

/** The Zendesk satisfaction webhook: `POST /v1/webhooks/zendesk`, secret `WEBHOOK_SECRET_ZENDESK`. */
export const zendeskSource = jsonWebhook(
  'zendesk',
  'WEBHOOK_SECRET_ZENDESK',
  (r, secrets, options) => verifyZendesk(r.raw, r.headers, secrets, options),
  (body, context, r) => {
    const sentAt = r.headers[TIMESTAMP];
    return adaptZendesk(body, context, Array.isArray(sentAt) ? sentAt[0] : sentAt);
  },
);
