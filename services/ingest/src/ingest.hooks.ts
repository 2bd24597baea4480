import type { ContractIssue } from '@vocflow/contracts';
import { Problem } from '@vocflow/http';
import { Counter, Histogram, type Registry } from '@vocflow/observability';
import {
  type Adapted,
  type AdapterContext,
  createTokenBucket,
  type Mappings,
  type TokenBucket,
} from '@vocflow/sources';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mediaType } from './body.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The `endpoint` label of the ingest metrics: a source name, or interviews/mentions/customers. */
    endpoint?: string;
  }
}

/** The endpoint a request was routed to (undefined for /healthz, /metrics and unknown paths). */
export const endpointOf = (request: FastifyRequest): string | undefined =>
  request.routeOptions.config.endpoint;

export interface IngestMetrics {
  /** `onResponse` hook: every answer of an ingest endpoint, 413 and 401 included, with its latency. */
  observe(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Records Kafka acknowledged. */
  accepted(endpoint: string, count: number): void;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  const requests = new Counter({
    name: 'vocflow_ingest_requests_total',
    help: 'Ingest requests by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'],
    registers: [registry],
  });
  const records = new Counter({
    name: 'vocflow_ingest_records_total',
    help: 'Records acknowledged by Kafka, by endpoint',
    labelNames: ['endpoint'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vocflow_ingest_request_duration_seconds',
    help: 'Ingest request latency including the Kafka acknowledgement',
    labelNames: ['endpoint'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    async observe(request, reply) {
      const endpoint = endpointOf(request);
      if (endpoint === undefined) return;
      requests.inc({ endpoint, status: String(reply.statusCode) });
      duration.observe({ endpoint }, reply.elapsedTime / 1000);
    },
    accepted: (endpoint, count) => records.inc({ endpoint }, count),
  };
}

/**
 * A `preHandler` hook limiting each endpoint to `perSecond` requests per second on this instance
 * (token bucket in memory); 0 turns it off. 429 with `Retry-After` above it.
 */
export function createRateLimit(perSecond: number) {
  const buckets = new Map<string, TokenBucket>();
  return async function rateLimit(request: FastifyRequest): Promise<void> {
    const endpoint = endpointOf(request);
    if (perSecond <= 0 || endpoint === undefined) return;
    let bucket = buckets.get(endpoint);
    if (!bucket) {
      bucket = createTokenBucket(perSecond, perSecond);
      buckets.set(endpoint, bucket);
    }
    if (!bucket.tryTake())
      throw new Problem('rate_limited', `more than ${perSecond} requests per second for ${endpoint}`, {
        retryAfterSeconds: Math.max(1, Math.ceil(bucket.waitMs() / 1000)),
      });
  };
}

/** A `preHandler` hook: 415 unless the body is one of `types`. */
export function requireContentType(types: readonly string[]) {
  return async function checkContentType(request: FastifyRequest): Promise<void> {
    const type = mediaType(request.headers['content-type']);
    if (!types.includes(type))
      throw new Problem(
        'unsupported_media_type',
        `expected ${types.join(' or ')}, got ${type || 'no content type'}`,
      );
  };
}

/** The body as received (every body stays raw: signatures cover the exact bytes). */
export const rawBody = (request: FastifyRequest): Buffer =>
  Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

/** What adapters get besides the payload: the time of receipt, the mappings, the original request. */
export function adapterContext(
  request: FastifyRequest,
  raw: Buffer,
  options: { readonly now: () => number; readonly mappings: Mappings; readonly keepOriginal: boolean },
): AdapterContext {
  return {
    receivedAt: new Date(options.now()).toISOString(),
    mappings: options.mappings,
    ...(options.keepOriginal
      ? { original: { contentType: request.headers['content-type'] ?? '', body: raw.toString('utf8') } }
      : {}),
  };
}

/** The records, or a 400 naming every invalid field. */
export function recordsOf<T>(adapted: Adapted<T>): T[] {
  if (!adapted.ok)
    throw new Problem('invalid_body', describeIssues(adapted.issues), { issues: adapted.issues });
  return adapted.records;
}

function describeIssues(issues: readonly ContractIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || '(body)'}: ${i.message}`);
  return `${shown.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
}

/** 202 once Kafka acknowledged: the id (a single item) and the ids. */
export function accepted(
  reply: FastifyReply,
  ids: readonly string[],
  many: boolean,
  field: 'feedbackId' | 'customerId',
): FastifyReply {
  return reply
    .code(202)
    .send({ status: 'accepted', ...(many ? {} : { [field]: ids[0] }), [`${field}s`]: ids });
}
