import { Problem } from '@vocflow/http';
import { adaptCustomers, adaptInterviews, adaptMentions, type Mappings } from '@vocflow/sources';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { decodeUtf8, mediaType, parseJson, parseNdjson } from './body.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import {
  accepted,
  adapterContext,
  type IngestMetrics,
  rawBody,
  recordsOf,
  requireContentType,
} from './ingest.hooks.ts';

export interface ApiKeyRoutesOptions {
  /** `onRequest`: the API-key check (write scope); runs before the body is read. */
  readonly authorize: (request: FastifyRequest) => Promise<void>;
  readonly rateLimit: (request: FastifyRequest) => Promise<void>;
  readonly keepOriginal: boolean;
  readonly publisher: FeedbackPublisher;
  readonly mappings: Mappings;
  readonly metrics: IngestMetrics;
  readonly now: () => number;
}

const JSON_TYPES = ['application/json'];
const MENTION_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl'];
const MAX_MENTIONS = 1_000;

/**
 * `/v1/interviews`, `/v1/mentions`, `/v1/customers`: the endpoints that take an API key. Order per
 * request: the key (401/403, before the body is read), the body limit (413), the content type (415),
 * the rate limit (429), the payload (400).
 */
export const apiKeyRoutes: FastifyPluginAsync<ApiKeyRoutesOptions> = async (app, options) => {
  const { publisher, metrics } = options;
  const context = (request: FastifyRequest) => adapterContext(request, rawBody(request), options);
  const route = (endpoint: string, types: readonly string[]) => ({
    config: { endpoint },
    onRequest: [options.authorize],
    preHandler: [requireContentType(types), options.rateLimit],
  });

  app.post('/v1/interviews', {
    ...route('interviews', JSON_TYPES),
    handler: async function receiveInterviews(request: FastifyRequest, reply: FastifyReply) {
      const body = parseJson(decodeUtf8(rawBody(request)));
      const records = recordsOf(adaptInterviews(body, context(request)));
      await publisher.publishFeedback(records);
      metrics.accepted('interviews', records.length);
      return accepted(
        reply,
        records.map((r) => r.feedbackId),
        Array.isArray(body),
        'feedbackId',
      );
    },
  });

  app.post('/v1/mentions', {
    ...route('mentions', MENTION_TYPES),
    handler: async function receiveMentions(request: FastifyRequest, reply: FastifyReply) {
      const text = decodeUtf8(rawBody(request));
      const ndjson = mediaType(request.headers['content-type']) !== 'application/json';
      const body = ndjson ? parseNdjson(text) : parseJson(text);
      const items = Array.isArray(body) ? body : [body];
      if (items.length > MAX_MENTIONS)
        throw new Problem('invalid_body', `at most ${MAX_MENTIONS} mentions per request`);
      const many = ndjson || Array.isArray(body);
      const records = recordsOf(adaptMentions(items, many, context(request)));
      await publisher.publishFeedback(records);
      metrics.accepted('mentions', records.length);
      return accepted(
        reply,
        records.map((r) => r.feedbackId),
        many,
        'feedbackId',
      );
    },
  });

  app.post('/v1/customers', {
    ...route('customers', JSON_TYPES),
    handler: async function receiveCustomers(request: FastifyRequest, reply: FastifyReply) {
      const body = parseJson(decodeUtf8(rawBody(request)));
      const profiles = recordsOf(adaptCustomers(body, context(request)));
      await publisher.publishProfiles(profiles);
      metrics.accepted('customers', profiles.length);
      return accepted(
        reply,
        profiles.map((p) => p.id),
        Array.isArray(body),
        'customerId',
      );
    },
  });
};
