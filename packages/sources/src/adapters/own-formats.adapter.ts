import { createHash } from 'node:crypto';
import { Attributes, CustomerProfile, ProfileAttributes, type RawFeedback } from '@vocflow/contracts';
import { z } from 'zod';
import { feedbackIdFor, STAGE, toInstant, versionFor } from '../feedback-id.ts';
import { verifyStandardWebhooks } from '../signature.ts';
import { jsonWebhook, type WebhookSource } from '../webhook-source.ts';
import {
  type Adapted,
  type AdapterContext,
  customerRef,
  invalid,
  parseInput,
  validated,
  validatedProfiles,
} from './adapter.ts';

const Customer = z
  .object({
    id: z.string().min(1).max(256).optional(),
    email: z.string().min(3).max(320).optional(),
    handle: z.string().min(1).max(256).optional(),
  })
  .strict();

const EVENT_TIME_FORMS =
  'expected ISO-8601: a day (2026-11-30, midnight UTC), a time (2026-11-30T08:00:00, UTC) or a time with an offset (2026-11-30T08:00:00+01:00, …Z)';

/**
 * An ISO-8601 event time as people write it, as an instant in UTC: a day alone is midnight UTC, a time
 * without an offset is UTC. Undefined for anything else, including a day that does not exist.
 */
export function eventInstant(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:\d{2})?)?$/i.exec(
    text.trim(),
  );
  const day = match?.[1];
  if (!match || !day) return undefined;
  const midnight = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(midnight) || new Date(midnight).toISOString().slice(0, 10) !== day) return undefined;
  const ms = match[2] === undefined ? midnight : Date.parse(`${day}T${match[2]}${match[3] ?? 'Z'}`);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** An event time in any form `eventInstant` reads, normalized to a UTC instant. */
const EventTime = z.string().transform((value, ctx) => {
  const instant = eventInstant(value);
  if (instant === undefined) {
    ctx.addIssue({ code: 'custom', message: EVENT_TIME_FORMS });
    return z.NEVER;
  }
  return instant;
});

/**
 * vocflow's own public feedback format (`POST /v1/webhooks/generic`): one object or an array.
 * `id` is the idempotency key: the same id always becomes the same feedback id.
 */
export const GenericFeedback = z
  .object({
    id: z.string().min(1).max(200),
    kind: z.enum(['survey_response', 'interview_note', 'social_mention']),
    occurredAt: EventTime,
    customer: Customer,
    channel: z.string().min(1).max(64).optional(),
    scores: z
      .object({
        nps: z.number().int().min(0).max(10).optional(),
        csat: z.number().min(1).max(5).optional(),
        ces: z.number().min(1).max(7).optional(),
      })
      .strict()
      .optional(),
    text: z.string().max(100_000).optional(),
    attributes: Attributes.optional(),
    /** An update on purpose: a higher `version` of the same `id` replaces the lower one. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    /** … or the time of the update: a later `updatedAt` replaces the earlier one. */
    updatedAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((g) => g.version === undefined || g.updatedAt === undefined, {
    message: 'give `version` or `updatedAt`, not both',
    path: ['version'],
  });
export type GenericFeedback = z.infer<typeof GenericFeedback>;

/**
 * The version of a generic item: its `version` as given; else its `updatedAt` (ms × 10 + 1), else its
 * `occurredAt` (ms × 10), so an update sent with `updatedAt` replaces the original that had none. The
 * same version twice is a redelivery: the first one counts, the second changes nothing.
 */
export function genericVersion(g: Pick<GenericFeedback, 'version' | 'updatedAt' | 'occurredAt'>): number {
  if (g.version !== undefined) return g.version;
  if (g.updatedAt !== undefined) return versionFor(g.updatedAt, STAGE.updated);
  return versionFor(g.occurredAt, STAGE.created);
}

const MAX_ITEMS = 1_000;
const DEFAULT_CHANNEL = {
  survey_response: 'survey',
  interview_note: 'interview',
  social_mention: 'social',
} as const;

/** Accepts one object or an array of up to 1000; every item is validated before any is produced. */
export function asItems(
  body: unknown,
):
  | { ok: true; items: unknown[]; many: boolean }
  | { ok: false; issues: { path: string; message: string }[] } {
  if (Array.isArray(body)) {
    if (body.length === 0) return { ok: false, issues: [{ path: '', message: 'empty array' }] };
    if (body.length > MAX_ITEMS)
      return { ok: false, issues: [{ path: '', message: `at most ${MAX_ITEMS} items` }] };
    return { ok: true, items: body, many: true };
  }
  return { ok: true, items: [body], many: false };
}

function collect<T, R>(
  items: readonly unknown[],
  many: boolean,
  schema: z.ZodType<T>,
  build: (item: T, raw: unknown) => R,
): { ok: true; records: R[] } | { ok: false; issues: { path: string; message: string }[] } {
  const records: R[] = [];
  const issues: { path: string; message: string }[] = [];
  for (const [i, raw] of items.entries()) {
    const parsed = parseInput(schema, raw, many ? `[${i}]` : '');
    if (parsed.ok) records.push(build(parsed.value, raw));
    else issues.push(...parsed.issues);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, records };
}

const originalItem = (context: AdapterContext, raw: unknown, many: boolean) =>
  context.original
    ? {
        original: {
          contentType: 'application/json',
          body: many ? JSON.stringify(raw) : context.original.body,
        },
      }
    : {};

export function adaptGeneric(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const items = asItems(body);
  if (!items.ok) return invalid(items.issues);
  const built = collect(items.items, items.many, GenericFeedback, (g, raw) => ({
    schema: 'feedback.raw.v1' as const,
    feedbackId: feedbackIdFor('generic', g.id),
    version: genericVersion(g),
    kind: g.kind,
    source: 'generic' as const,
    channel: g.channel ?? DEFAULT_CHANNEL[g.kind],
    providerResponseId: g.id,
    occurredAt: toInstant(g.occurredAt) ?? g.occurredAt,
    receivedAt: context.receivedAt,
    customer: customerRef(g.customer),
    answers: [],
    scores: g.scores ?? {},
    texts: g.text ? [{ field: 'text', text: g.text }] : [],
    attributes: g.attributes ?? {},
    ...originalItem(context, raw, items.many),
  }));
  return built.ok ? validated(built.records) : invalid(built.issues);
}

/** `POST /v1/interviews`: notes from a customer conversation. */
export const InterviewNote = z
  .object({
    id: z.string().min(1).max(200).optional(),
    customer: Customer,
    interviewer: z.string().min(1).max(256),
    date: z.iso.datetime({ offset: true }).or(z.iso.date()),
    title: z.string().min(1).max(1_000),
    notes: z.string().min(1).max(500_000),
    format: z.enum(['text', 'markdown']).optional(),
    tags: z.array(z.string().min(1).max(128)).max(100).optional(),
  })
  .strict();
export type InterviewNote = z.infer<typeof InterviewNote>;

export function adaptInterviews(body: unknown, context: AdapterContext): Adapted<RawFeedback> {
  const items = asItems(body);
  if (!items.ok) return invalid(items.issues);
  const built = collect(items.items, items.many, InterviewNote, (n, raw) => {
    const occurredAt = toInstant(n.date.length === 10 ? `${n.date}T00:00:00Z` : n.date) ?? context.receivedAt;
    // Without an id, the note is identified by who, when and what: a resend is the same note.
    const providerId =
      n.id ??
      createHash('sha256')
        .update(`${n.customer.id ?? n.customer.email ?? '-'}\n${occurredAt}\n${n.title}`)
        .digest('hex')
        .slice(0, 32);
    return {
      schema: 'feedback.raw.v1' as const,
      feedbackId: feedbackIdFor('interview', providerId),
      version: versionFor(occurredAt, 0),
      kind: 'interview_note' as const,
      source: 'interview' as const,
      channel: 'interview',
      providerResponseId: providerId,
      occurredAt,
      receivedAt: context.receivedAt,
      customer: customerRef(n.customer),
      answers: [],
      scores: {},
      texts: [
        { field: 'title', text: n.title },
        { field: 'notes', text: n.notes },
      ],
      attributes: {
        interviewer: n.interviewer,
        format: n.format ?? 'text',
        ...(n.tags?.length ? { tags: n.tags.join(',').slice(0, 4096) } : {}),
      },
      ...originalItem(context, raw, items.many),
    };
  });
  return built.ok ? validated(built.records) : invalid(built.issues);
}

/** `POST /v1/mentions`: a social media post about the company. */
export const SocialMention = z
  .object({
    id: z.string().min(1).max(200).optional(),
    platform: z.string().min(1).max(32),
    /** The post's address; optional when `id` is given (the id is then the idempotency key). */
    url: z.url().max(2_048).optional(),
    author: z.string().max(256).optional(),
    handle: z.string().min(1).max(256),
    text: z.string().min(1).max(100_000),
    postedAt: z.iso.datetime({ offset: true }),
    attributes: Attributes.optional(),
  })
  .strict()
  .refine((m) => m.id !== undefined || m.url !== undefined, {
    message: 'give the id of the post or its url (or both)',
    path: ['url'],
  });
export type SocialMention = z.infer<typeof SocialMention>;

export function adaptMentions(
  items: readonly unknown[],
  many: boolean,
  context: AdapterContext,
): Adapted<RawFeedback> {
  const built = collect(items, many, SocialMention, (m, raw) => {
    const platform = m.platform.toLowerCase();
    // The schema guarantees one of them.
    const providerId = m.id ?? m.url ?? '';
    return {
      schema: 'feedback.raw.v1' as const,
      feedbackId: feedbackIdFor('mention', platform, providerId),
      version: versionFor(m.postedAt, 0),
      kind: 'social_mention' as const,
      source: 'mention' as const,
      channel: 'social',
      providerResponseId: providerId.slice(0, 2_048),
      occurredAt: toInstant(m.postedAt) ?? m.postedAt,
      receivedAt: context.receivedAt,
      customer: { handle: m.handle },
      answers: [],
      scores: {},
      texts: [{ field: 'text', text: m.text }],
      attributes: {
        ...m.attributes,
        platform,
        ...(m.url ? { url: m.url } : {}),
        ...(m.author ? { author: m.author } : {}),
      },
      ...(context.original
        ? { original: { contentType: 'application/json', body: JSON.stringify(raw) } }
        : {}),
    };
  });
  return built.ok ? validated(built.records) : invalid(built.issues);
}

/** `POST /v1/customers`: CRM profile upserts, one or an array. */
export const CustomerUpsert = CustomerProfile.omit({ schema: true }).extend({
  // The contract's fields; what the CRM may leave out gets its default when the profile is built.
  handles: z.array(z.string().min(1).max(256)).max(100).optional(),
  attributes: ProfileAttributes.optional(),
  updatedAt: z.iso.datetime({ offset: true }).optional(),
});
export type CustomerUpsert = z.infer<typeof CustomerUpsert>;

export function adaptCustomers(body: unknown, context: AdapterContext): Adapted<CustomerProfile> {
  const items = asItems(body);
  if (!items.ok) return invalid(items.issues);
  const built = collect(items.items, items.many, CustomerUpsert, (c) => ({
    schema: 'customers.v1' as const,
    ...c,
    ...(c.email ? { email: c.email.toLowerCase() } : {}),
    handles: c.handles ?? [],
    attributes: c.attributes ?? {},
    updatedAt: c.updatedAt ?? context.receivedAt,
  }));
  return built.ok ? validatedProfiles(built.records) : invalid(built.issues);
}

/**
 * vocflow's own webhook: `POST /v1/webhooks/generic`, signed like Standard Webhooks with
 * `WEBHOOK_SECRET_GENERIC`; one item or an array (answered with every id).
 */
export const genericSource: WebhookSource = {
  ...jsonWebhook(
    'generic',
    'WEBHOOK_SECRET_GENERIC',
    (r, secrets, options) => verifyStandardWebhooks(r.raw, r.headers, secrets, options),
    adaptGeneric,
  ),
  answersMany: (r) => Array.isArray(r.json),
};
