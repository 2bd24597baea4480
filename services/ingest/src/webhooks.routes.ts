import { Problem } from '@vocflow/http';
import {
  type Mappings,
  type SecretValues,
  WEBHOOK_SOURCES,
  type WebhookRequest,
  type WebhookSource,
} from '@vocflow/sources';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { decodeUtf8, parseJson } from './body.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import {
  accepted,
  adapterContext,
  type IngestMetrics,
  rawBody,
  recordsOf,
  requireContentType,
} from './ingest.hooks.ts';
import { parseMultipart } from './multipart.ts';

export interface WebhooksRoutesOptions {
  readonly sources?: readonly WebhookSource<unknown>[];
  readonly secrets: SecretValues;
  /** Sources accepted without a signature while they have no secret (local development). */
  readonly allowUnsigned: readonly string[];
  readonly signatureToleranceSeconds: number;
  readonly keepOriginal: boolean;
  readonly publisher: FeedbackPublisher;
  readonly mappings: Mappings;
  readonly metrics: IngestMetrics;
  readonly rateLimit: (request: FastifyRequest) => Promise<void>;
  readonly now: () => number;
}

/** The delivery as a source sees it; form bodies decoded (Qualtrics signs a form field). */
function deliveryOf(request: FastifyRequest, source: WebhookSource<unknown>): WebhookRequest {
  const raw = rawBody(request);
  return {
    raw,
    headers: request.headers,
    params: request.params as Record<string, string>,
    ...(source.body === 'form' ? { form: Object.fromEntries(new URLSearchParams(decodeUtf8(raw))) } : {}),
  };
}

/** The body decoded the way the source sends it, once the delivery is verified. */
async function decoded(request: FastifyRequest, source: WebhookSource<unknown>): Promise<WebhookRequest> {
  const delivery = deliveryOf(request, source);
  if (source.body === 'json') return { ...delivery, json: parseJson(decodeUtf8(delivery.raw)) };
  if (source.body === 'multipart')
    return { ...delivery, form: await parseMultipart(delivery.raw, request.headers['content-type'] ?? '') };
  return delivery;
}

/** `onRequest`: a source without a secret answers 404 naming the variable to set, before any body is read. */
function createDisabledSource(source: WebhookSource<unknown>) {
  return async function sourceDisabled(): Promise<void> {
    throw new Problem(
      'source_disabled',
      `the ${source.name} webhook is disabled: set ${source.secretVariables.join(' and ')}`,
    );
  };
}

/** `preHandler`: 401 unless the delivery carries a valid signature (or URL token) for one of the secrets. */
function createSignatureCheck(
  source: WebhookSource<unknown>,
  secrets: readonly unknown[],
  options: WebhooksRoutesOptions,
) {
  return async function verifySignature(request: FastifyRequest): Promise<void> {
    const check = source.verify(deliveryOf(request, source), secrets, {
      nowMs: options.now(),
      toleranceSeconds: options.signatureToleranceSeconds,
    });
    if (!check.ok) throw new Problem('invalid_signature', `${source.name} signature ${check.reason}`);
  };
}

/** The handler: decode, adapt, publish, and answer 202 only once Kafka acknowledged. */
function createWebhookHandler(source: WebhookSource<unknown>, options: WebhooksRoutesOptions) {
  return async function receiveWebhook(request: FastifyRequest, reply: FastifyReply) {
    const delivery = await decoded(request, source);
    const context = adapterContext(request, delivery.raw, options);
    const records = recordsOf(source.adapt(delivery, context));
    await options.publisher.publishFeedback(records);
    options.metrics.accepted(source.name, records.length);
    const ids = records.map((r) => r.feedbackId);
    request.log.debug({ source: source.name, feedbackIds: ids }, 'accepted');
    return accepted(reply, ids, source.answersMany?.(delivery) ?? false, 'feedbackId');
  };
}

/** `HEAD`: SurveyMonkey checks a URL with HEAD before it subscribes it; every webhook URL answers 200. */
async function answerHead(_request: FastifyRequest, reply: FastifyReply) {
  return reply.code(200).send();
}

/**
 * `/v1/webhooks/*`: one route per source of @vocflow/sources. Order per request: a disabled source
 * 404s before its body is read; then the body limit (413), the content type (415), the signature
 * (401, over the exact bytes, so the body must be read first), the rate limit (429), the payload (400).
 */
export const webhooksRoutes: FastifyPluginAsync<WebhooksRoutesOptions> = async (app, options) => {
  for (const source of options.sources ?? WEBHOOK_SOURCES) {
    const secrets = source.secrets(options.secrets);
    const unsigned = secrets.length === 0 && options.allowUnsigned.includes(source.name);
    const disabled = secrets.length === 0 && !unsigned;
    const config = { endpoint: source.name };
    app.head(source.path, answerHead);
    app.post(source.path, {
      config,
      onRequest: disabled ? [createDisabledSource(source)] : [],
      preHandler: [
        requireContentType(source.contentTypes),
        ...(unsigned ? [] : [createSignatureCheck(source, secrets, options)]),
        options.rateLimit,
      ],
      handler: createWebhookHandler(source, options),
    });
  }
};
