import type { ContractIssue, CustomerProfile, RawFeedback } from '@vocflow/contracts';
import { isRetryable } from '@vocflow/kafka';
import { Counter, Histogram, type Registry } from '@vocflow/observability';
import {
  type Adapted,
  type AdapterContext,
  adaptCustomers,
  adaptDelighted,
  adaptFormbricks,
  adaptGeneric,
  adaptInterviews,
  adaptMentions,
  adaptQualtrics,
  adaptSurveyMonkey,
  adaptTally,
  adaptTypeform,
  createTokenBucket,
  type Mappings,
  type SignatureCheck,
  safeEqual,
  type TokenBucket,
  verifyDelighted,
  verifyQualtrics,
  verifyStandardWebhooks,
  verifySurveyMonkey,
  verifyTally,
  verifyTypeform,
} from '@vocflow/sources';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { decodeUtf8, mediaType, parseJson, parseNdjson } from './body.ts';
import { type IngestConfig, SECRET_VARIABLE, WEBHOOK_SOURCES, type WebhookSource } from './config.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import { Problem } from './problem.ts';

export interface IngestRoutesOptions {
  readonly config: Readonly<IngestConfig>;
  readonly publisher: FeedbackPublisher;
  readonly mappings: Mappings;
  readonly registry: Registry;
  /** Clock (tests freeze it for signature timestamps). */
  readonly now?: () => number;
}

const JSON_TYPES = ['application/json'];
const FORM_TYPES = ['application/x-www-form-urlencoded'];
const MENTION_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl'];

type Endpoint = WebhookSource | 'interviews' | 'mentions' | 'customers';

/** The verifier and adapter of each webhook source. */
interface WebhookHandler {
  readonly types: readonly string[];
  readonly configured: boolean;
  verify(raw: Buffer, request: FastifyRequest, form: Record<string, string> | undefined): SignatureCheck;
  adapt(raw: Buffer, form: Record<string, string> | undefined, context: AdapterContext): Adapted<RawFeedback>;
}

export const ingestRoutes: FastifyPluginAsync<IngestRoutesOptions> = async (app, options) => {
  const { config, publisher, mappings } = options;
  const now = options.now ?? Date.now;
  const { secrets } = config;
  const headers = (r: FastifyRequest) => r.headers as Record<string, string | string[] | undefined>;
  const json = (raw: Buffer) => parseJson(decodeUtf8(raw));

  const requests = new Counter({
    name: 'vocflow_ingest_requests_total',
    help: 'Ingest requests by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'],
    registers: [options.registry],
  });
  const accepted = new Counter({
    name: 'vocflow_ingest_records_total',
    help: 'Records acknowledged by Kafka, by endpoint',
    labelNames: ['endpoint'],
    registers: [options.registry],
  });
  const duration = new Histogram({
    name: 'vocflow_ingest_request_duration_seconds',
    help: 'Ingest request latency including the Kafka acknowledgement',
    labelNames: ['endpoint'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [options.registry],
  });

  const webhooks: Record<WebhookSource, WebhookHandler> = {
    typeform: {
      types: JSON_TYPES,
      configured: secrets.typeform.length > 0,
      verify: (raw, r) => verifyTypeform(raw, headers(r), secrets.typeform),
      adapt: (raw, _f, c) => adaptTypeform(json(raw), c),
    },
    surveymonkey: {
      types: JSON_TYPES,
      configured: secrets.surveymonkey.length > 0,
      verify: (raw, r) => verifySurveyMonkey(raw, headers(r), secrets.surveymonkey),
      adapt: (raw, _f, c) => adaptSurveyMonkey(json(raw), c),
    },
    qualtrics: {
      types: FORM_TYPES,
      configured: secrets.qualtrics.length > 0,
      verify: (_raw, _r, form) => verifyQualtrics(form?.['MSG'], form?.['HMAC'], secrets.qualtrics),
      adapt: (_raw, form, c) => adaptQualtrics(form ?? {}, c),
    },
    formbricks: {
      types: JSON_TYPES,
      configured: secrets.formbricks.length > 0,
      verify: (raw, r) =>
        verifyStandardWebhooks(raw, headers(r), secrets.formbricks, {
          nowMs: now(),
          toleranceSeconds: config.signatureToleranceSeconds,
        }),
      adapt: (raw, _f, c) => adaptFormbricks(json(raw), c),
    },
    tally: {
      types: JSON_TYPES,
      configured: secrets.tally.length > 0,
      verify: (raw, r) => verifyTally(raw, headers(r), secrets.tally),
      adapt: (raw, _f, c) => adaptTally(json(raw), c),
    },
    delighted: {
      types: JSON_TYPES,
      configured: secrets.delighted.length > 0,
      verify: (raw, r) => verifyDelighted(raw, headers(r), secrets.delighted),
      adapt: (raw, _f, c) => adaptDelighted(json(raw), c),
    },
    generic: {
      types: JSON_TYPES,
      configured: secrets.generic.length > 0,
      verify: (raw, r) =>
        verifyStandardWebhooks(raw, headers(r), secrets.generic, {
          nowMs: now(),
          toleranceSeconds: config.signatureToleranceSeconds,
        }),
      adapt: (raw, _f, c) => adaptGeneric(json(raw), c),
    },
  };

  const limiters = new Map<Endpoint, TokenBucket>();
  const rateLimit = (endpoint: Endpoint) => {
    const perSecond = config.http.rateLimitPerSource;
    if (perSecond <= 0) return;
    let bucket = limiters.get(endpoint);
    if (!bucket) {
      bucket = createTokenBucket(perSecond, perSecond);
      limiters.set(endpoint, bucket);
    }
    if (!bucket.tryTake()) {
      throw new Problem('rate_limited', `more than ${perSecond} requests per second for ${endpoint}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(bucket.waitMs() / 1000)),
      });
    }
  };

  const requireType = (request: FastifyRequest, types: readonly string[]) => {
    const type = mediaType(request.headers['content-type']);
    if (!types.includes(type)) {
      throw new Problem(
        'unsupported_media_type',
        `expected ${types.join(' or ')}, got ${type || 'no content type'}`,
      );
    }
    return type;
  };

  const rawBody = (request: FastifyRequest): Buffer =>
    Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

  const contextFor = (request: FastifyRequest, raw: Buffer): AdapterContext => ({
    receivedAt: new Date(now()).toISOString(),
    mappings,
    ...(config.keepOriginal
      ? { original: { contentType: request.headers['content-type'] ?? '', body: raw.toString('utf8') } }
      : {}),
  });

  const unwrap = <T>(adapted: Adapted<T>): T[] => {
    if (!adapted.ok)
      throw new Problem('invalid_body', describeIssues(adapted.issues), { issues: adapted.issues });
    return adapted.records;
  };

  /** Produces, and answers 202 only once Kafka acknowledged; 503 with Retry-After otherwise. */
  const publish = async (endpoint: Endpoint, write: () => Promise<void>, count: number) => {
    try {
      await write();
      accepted.inc({ endpoint }, count);
    } catch (error) {
      if (isRetryable(error)) {
        throw new Problem('kafka_unavailable', 'Kafka did not acknowledge in time', {
          retryAfterSeconds: config.http.retryAfterSeconds,
        });
      }
      throw error;
    }
  };

  const answer = (
    reply: FastifyReply,
    ids: readonly string[],
    many: boolean,
    field: 'feedbackId' | 'customerId',
  ) => reply.code(202).send({ status: 'accepted', ...(many ? {} : { [field]: ids[0] }), [`${field}s`]: ids });

  const timed =
    (endpoint: Endpoint, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const end = duration.startTimer({ endpoint });
      reply.raw.once('finish', () => {
        end();
        requests.inc({ endpoint, status: String(reply.statusCode) });
      });
      return handler(request, reply);
    };

  for (const source of WEBHOOK_SOURCES) {
    const handler = webhooks[source];
    const unsigned = !handler.configured && config.allowUnsigned.includes(source);
    const url = `/v1/webhooks/${source}`;
    // SurveyMonkey checks the URL with HEAD before it subscribes it.
    app.head(url, async (_request, reply) => reply.code(200).send());
    app.post(
      url,
      timed(source, async (request, reply) => {
        if (!handler.configured && !unsigned) {
          throw new Problem(
            'source_disabled',
            `the ${source} webhook is disabled: set ${SECRET_VARIABLE[source]}`,
          );
        }
        const type = requireType(request, handler.types);
        const raw = rawBody(request);
        const form =
          type === 'application/x-www-form-urlencoded'
            ? Object.fromEntries(new URLSearchParams(decodeUtf8(raw)))
            : undefined;
        if (!unsigned) {
          const check = handler.verify(raw, request, form);
          if (!check.ok) throw new Problem('unauthorized', `${source} signature ${check.reason}`);
        }
        rateLimit(source);
        const records = unwrap(handler.adapt(raw, form, contextFor(request, raw)));
        await publish(source, () => publisher.publishFeedback(records), records.length);
        request.log.debug({ source, feedbackIds: records.map((r) => r.feedbackId) }, 'accepted');
        const many = source === 'generic' && raw.subarray(0, 64).toString('utf8').trimStart().startsWith('[');
        return answer(
          reply,
          records.map((r) => r.feedbackId),
          many,
          'feedbackId',
        );
      }),
    );
  }

  const authorize = (request: FastifyRequest) => {
    if (config.apiKeys.length === 0 && config.allowUnsigned.includes('api')) return;
    const header = request.headers.authorization ?? '';
    const key = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!key) throw new Problem('unauthorized', 'send Authorization: Bearer <API key>');
    let match = false;
    for (const k of config.apiKeys) match = safeEqual(k, key) || match;
    if (!match) throw new Problem('unauthorized', 'unknown API key');
  };

  const apiRoute = <T>(
    endpoint: 'interviews' | 'mentions' | 'customers',
    types: readonly string[],
    adapt: (request: FastifyRequest, type: string, raw: Buffer) => { adapted: Adapted<T>; many: boolean },
    write: (records: T[]) => Promise<void>,
    idOf: (record: T) => string,
    field: 'feedbackId' | 'customerId',
  ) =>
    app.post(
      `/v1/${endpoint}`,
      timed(endpoint, async (request, reply) => {
        authorize(request);
        const type = requireType(request, types);
        rateLimit(endpoint);
        const raw = rawBody(request);
        const { adapted, many } = adapt(request, type, raw);
        const records = unwrap(adapted);
        await publish(endpoint, () => write(records), records.length);
        return answer(reply, records.map(idOf), many, field);
      }),
    );

  apiRoute(
    'interviews',
    JSON_TYPES,
    (request, _type, raw) => {
      const body = json(raw);
      return { adapted: adaptInterviews(body, contextFor(request, raw)), many: Array.isArray(body) };
    },
    (records: RawFeedback[]) => publisher.publishFeedback(records),
    (r) => r.feedbackId,
    'feedbackId',
  );
  apiRoute(
    'mentions',
    MENTION_TYPES,
    (request, type, raw) => {
      const text = decodeUtf8(raw);
      const ndjson = type !== 'application/json';
      const body = ndjson ? parseNdjson(text) : parseJson(text);
      const items = Array.isArray(body) ? body : [body];
      if (items.length > 1_000) throw new Problem('invalid_body', 'at most 1000 mentions per request');
      const many = ndjson || Array.isArray(body);
      return { adapted: adaptMentions(items, many, contextFor(request, raw)), many };
    },
    (records: RawFeedback[]) => publisher.publishFeedback(records),
    (r) => r.feedbackId,
    'feedbackId',
  );
  apiRoute(
    'customers',
    JSON_TYPES,
    (request, _type, raw) => {
      const body = json(raw);
      return { adapted: adaptCustomers(body, contextFor(request, raw)), many: Array.isArray(body) };
    },
    (profiles: CustomerProfile[]) => publisher.publishProfiles(profiles),
    (p) => p.id,
    'customerId',
  );
};

function describeIssues(issues: readonly ContractIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || '(body)'}: ${i.message}`);
  return `${shown.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
}
