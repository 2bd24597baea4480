import type { CustomerProfile, RawFeedback } from '@vocflow/contracts';
import { RecordsRejectedError, RecordTooLargeError } from '@vocflow/kafka';
import { createLogger, createRegistry, type Registry } from '@vocflow/observability';
import { WEBHOOK_SOURCES } from '@vocflow/sources';
import { fixtureBytes } from '@vocflow/sources/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.ts';
import { IngestEnv, loadConfig } from './config.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';

const ZENDESK_AT = Date.parse('2026-01-15T10:05:00Z');
const JOTFORM_TOKEN = 'jf_tok_0123456789abcdefghijklmnop';
const baseEnv = {
  LOG_LEVEL: 'silent',
  WEBHOOK_SECRET_ZENDESK: 'zendesk-test-secret',
  WEBHOOK_SECRET_JOTFORM: JOTFORM_TOKEN,
  INGEST_API_KEYS: 'ingest-key',
  QUERY_API_KEYS: 'query-key',
  ERASE_API_KEYS: 'erase-key',
  API_KEYS: 'legacy-key',
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(env: Record<string, string> = {}, failWith?: Error) {
  const feedback: RawFeedback[] = [];
  const profiles: CustomerProfile[] = [];
  const publisher: FeedbackPublisher = {
    publishFeedback: async (records) => {
      if (failWith) throw failWith;
      feedback.push(...records);
    },
    publishProfiles: async (records) => {
      if (failWith) throw failWith;
      profiles.push(...records);
    },
  };
  const registry = createRegistry('ingest-test');
  app = await buildIngestApp({
    config: loadConfig({ ...baseEnv, ...env }),
    logger: createLogger({ service: 'ingest', level: 'silent' }),
    registry,
    checks: [],
    publisher,
    mappings: {
      jotform: {
        '241234567890123': {
          nps: 'q3_howLikely',
          comment: 'q4_whatIs',
          customer: { id: 'q6_customerId', email: 'q5_email' },
        },
      },
    },
    now: () => ZENDESK_AT,
  });
  return { app, feedback, profiles, registry };
}

const zendesk = () => ({
  method: 'POST' as const,
  url: '/v1/webhooks/zendesk',
  headers: {
    'content-type': 'application/json',
    'x-zendesk-webhook-signature-timestamp': '2026-01-15T10:05:00Z',
    'x-zendesk-webhook-signature': 'zvGAEs3Lufo6DT57onmuR4kb81PxkM+Ta1gEhkCrAyw=',
  },
  payload: fixtureBytes('webhooks/zendesk-csat.json'),
});

/** The wire example: its first line is the Content-Type header, the body follows the blank line. */
function jotform(token = JOTFORM_TOKEN) {
  const wire = fixtureBytes('webhooks/jotform.multipart.txt');
  const split = wire.indexOf('\r\n\r\n');
  const contentType = wire
    .subarray(0, split)
    .toString()
    .replace(/^Content-Type:\s*/i, '');
  return {
    method: 'POST' as const,
    url: `/v1/webhooks/jotform/${token}`,
    headers: { 'content-type': contentType },
    payload: wire.subarray(split + 4),
  };
}

async function requestsTotal(registry: Registry, endpoint: string, status: string): Promise<number> {
  const metric = await registry.getSingleMetric('vocflow_ingest_requests_total')?.get();
  return (
    metric?.values.find((v) => v.labels['endpoint'] === endpoint && v.labels['status'] === status)?.value ?? 0
  );
}

describe('Zendesk webhook', () => {
  it('accepts the documented trigger body with its published signature as CSAT 1 for the requester', async () => {
    const { app, feedback } = await build();
    const res = await app.inject(zendesk());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: 'accepted',
      feedbackId: 'zendesk:35436',
      feedbackIds: ['zendesk:35436'],
    });
    expect(feedback[0]).toMatchObject({
      source: 'zendesk',
      scores: { csat: 1 },
      customer: { id: 'cus_8842', email: 'laura@example.com' },
    });
  });
  it('answers a redelivery with the same feedback id', async () => {
    const { app, feedback } = await build();
    const a = await app.inject(zendesk());
    const b = await app.inject(zendesk());
    expect(b.json().feedbackId).toBe(a.json().feedbackId);
    expect(feedback[1]).toEqual(feedback[0]);
  });
  it('refuses a wrong secret with 401 and publishes nothing', async () => {
    const { app, feedback } = await build({ WEBHOOK_SECRET_ZENDESK: 'another-secret' });
    const res = await app.inject(zendesk());
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({
      type: 'https://vocflow.dev/problems/invalid-signature',
      detail: 'zendesk signature mismatch',
    });
    expect(feedback).toHaveLength(0);
  });
});

describe('Jotform webhook', () => {
  it('accepts the multipart wire example with the token in the URL, through the mapping', async () => {
    const { app, feedback } = await build();
    const res = await app.inject(jotform());
    expect(res.statusCode).toBe(202);
    expect(res.json().feedbackId).toBe('jotform:241234567890123:5912345678901234567');
    expect(feedback[0]).toMatchObject({
      scores: { nps: 3 },
      customer: { id: 'cus_8842', email: 'laura@example.com' },
      texts: [{ field: 'q4_whatIs', text: 'Invoices were wrong two months in a row.' }],
    });
  });
  it('answers a redelivery with the same feedback id', async () => {
    const { app } = await build();
    const a = await app.inject(jotform());
    const b = await app.inject(jotform());
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(b.json().feedbackId).toBe(a.json().feedbackId);
  });
  it('refuses an unknown token with 401 and publishes nothing', async () => {
    const { app, feedback } = await build();
    const res = await app.inject(jotform('jf_tok_guessed_abcdefghijklmnopq'));
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe('jotform signature mismatch');
    expect(feedback).toHaveLength(0);
  });
  it('answers 400 to a broken multipart body and 415 to JSON', async () => {
    const { app } = await build();
    const broken = await app.inject({ ...jotform(), headers: { 'content-type': 'multipart/form-data' } });
    expect(broken.statusCode).toBe(400);
    const json = await app.inject({
      ...jotform(),
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(json.statusCode).toBe(415);
  });
  it('refuses a token shorter than 24 characters at start', () => {
    expect(() => loadConfig({ ...baseEnv, WEBHOOK_SECRET_JOTFORM: 'short' })).toThrow(
      /WEBHOOK_SECRET_JOTFORM/,
    );
  });
});

describe('sources and keys', () => {
  it('reads every secret variable a source declares', () => {
    const shape = Object.keys(IngestEnv.in.shape);
    for (const source of WEBHOOK_SOURCES)
      for (const name of source.secretVariables) expect(shape).toContain(name);
  });
  it('lets ingest and legacy keys write, and refuses query and erase keys with 403, unknown with 401', async () => {
    const { app } = await build();
    const post = (key?: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/customers',
        headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
        payload: JSON.stringify({ id: 'cus-1', tier: 'pro' }),
      });
    const codes = [];
    for (const key of ['ingest-key', 'legacy-key', 'query-key', 'erase-key', 'nope', undefined])
      codes.push((await post(key)).statusCode);
    expect(codes).toEqual([202, 202, 403, 403, 401, 401]);
    const forbidden = await post('query-key');
    expect(forbidden.json()).toMatchObject({ type: 'https://vocflow.dev/problems/forbidden', status: 403 });
  });
  it('checks the key before the body size on API-key routes, and counts 413 and 401 answers', async () => {
    const { app, registry } = await build({ INGEST_MAX_BODY_BYTES: '2048' });
    const big = { method: 'POST' as const, url: '/v1/interviews', payload: Buffer.alloc(4096, 0x20) };
    const noKey = await app.inject({ ...big, headers: { 'content-type': 'application/json' } });
    expect(noKey.statusCode).toBe(401);
    const withKey = await app.inject({
      ...big,
      headers: { 'content-type': 'application/json', authorization: 'Bearer ingest-key' },
    });
    expect(withKey.statusCode).toBe(413);
    expect(withKey.json().detail).toContain('2048 bytes');
    const webhook = await app.inject({ ...zendesk(), payload: Buffer.alloc(4096, 0x20) });
    expect(webhook.statusCode).toBe(413);
    expect(await requestsTotal(registry, 'interviews', '401')).toBe(1);
    expect(await requestsTotal(registry, 'interviews', '413')).toBe(1);
    expect(await requestsTotal(registry, 'zendesk', '413')).toBe(1);
  });
  it('opens the API-key routes without keys only when ALLOW_UNSIGNED_SOURCES=api, and never in production', async () => {
    const open = { INGEST_API_KEYS: '', API_KEYS: '', ALLOW_UNSIGNED_SOURCES: 'api' };
    const { app } = await build(open);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ id: 'cus-1' }),
    });
    expect(res.statusCode).toBe(202);
    expect(() => loadConfig({ ...baseEnv, ...open, NODE_ENV: 'production' })).toThrow(
      /ALLOW_UNSIGNED_SOURCES/,
    );
  });
  it('answers 413 naming the limit when a record is over its topic limit, and counts it', async () => {
    const tooLarge = new RecordTooLargeError('feedback.raw.v1', 1_300_000, 1_048_576, { index: 0 });
    const { app, registry } = await build({}, tooLarge);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ingest-key' },
      payload: JSON.stringify({ id: 'cus-1' }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ type: 'https://vocflow.dev/problems/record-too-large' });
    expect(res.json().detail).toContain('1048576-byte record limit');
    expect(await requestsTotal(registry, 'customers', '413')).toBe(1);
    await app.close();
    const refused = new RecordsRejectedError([
      { topic: 'feedback.raw.v1', index: 0, reason: 'record_too_large', detail: 'MESSAGE_TOO_LARGE' },
    ]);
    const broker = await (await build({}, refused)).app.inject(zendesk());
    expect(broker.statusCode).toBe(413);
  });
});
