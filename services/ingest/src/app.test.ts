import { createHmac } from 'node:crypto';
import type { CustomerProfile, RawFeedback } from '@vocflow/contracts';
import { RetryableError } from '@vocflow/kafka';
import { createLogger, createRegistry } from '@vocflow/observability';
import { signStandardWebhooks } from '@vocflow/sources';
import { fixtureBytes } from '@vocflow/sources/testing';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const FIXTURE_NOW = 1768471477_000;

/** A publisher that records what it was asked to write, or fails like Kafka being down. */
function fakePublisher(fail = false) {
  const feedback: RawFeedback[] = [];
  const profiles: CustomerProfile[] = [];
  const publisher: FeedbackPublisher = {
    async publishFeedback(records) {
      if (fail) throw new RetryableError('kafka', 'down');
      feedback.push(...records);
    },
    async publishProfiles(records) {
      if (fail) throw new RetryableError('kafka', 'down');
      profiles.push(...records);
    },
  };
  return { publisher, feedback, profiles };
}

const baseEnv = {
  LOG_LEVEL: 'silent',
  WEBHOOK_SECRET_TYPEFORM: 'new-secret,typeform-test-secret',
  WEBHOOK_SECRET_TALLY: 'tally-test-secret',
  WEBHOOK_SECRET_DELIGHTED: 'delighted-test-api-key',
  WEBHOOK_SECRET_QUALTRICS: 'qualtrics-shared-key',
  WEBHOOK_SECRET_FORMBRICKS: SECRET,
  WEBHOOK_SECRET_GENERIC: SECRET,
  SURVEYMONKEY_API_KEY: 'sm-test-client-id',
  SURVEYMONKEY_API_SECRET: 'sm-test-client-secret',
  API_KEYS: 'key-one,key-two',
  INGEST_RATE_LIMIT_PER_SOURCE: '1000',
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(env: Record<string, string> = {}, fail = false, now = FIXTURE_NOW) {
  const fake = fakePublisher(fail);
  app = await buildIngestApp({
    config: loadConfig({ ...baseEnv, ...env }),
    logger: createLogger({ service: 'ingest', level: 'silent' }),
    registry: createRegistry('ingest-test'),
    checks: [],
    publisher: fake.publisher,
    mappings: { typeform: { lT4Z3j: { nps: 'nps_score', comment: 'nps_reason' } } },
    now: () => now,
  });
  return { app, ...fake };
}

const typeform = () => ({
  method: 'POST' as const,
  url: '/v1/webhooks/typeform',
  headers: {
    'content-type': 'application/json',
    'typeform-signature': 'sha256=3sZnRklqOI2Iw9MJk+Eyw9MeCuBdxoxvtjNmzfY68FQ=',
  },
  payload: fixtureBytes('webhooks/typeform.json'),
});

function signedGeneric(body: string, now = FIXTURE_NOW) {
  const ts = Math.floor(now / 1000);
  return {
    method: 'POST' as const,
    url: '/v1/webhooks/generic',
    headers: {
      'content-type': 'application/json',
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(ts),
      'webhook-signature': signStandardWebhooks(SECRET, 'msg_1', ts, body),
    },
    payload: body,
  };
}

describe('webhooks', () => {
  it('accepts a signed Typeform response with 202 and its feedback id after publishing it', async () => {
    const { app, feedback } = await build();
    const res = await app.inject(typeform());
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({
      status: 'accepted',
      feedbackId: 'typeform:lT4Z3j:a3a12ec67a1365927098a606107fac15',
      feedbackIds: ['typeform:lT4Z3j:a3a12ec67a1365927098a606107fac15'],
    });
    expect(feedback[0]?.scores).toEqual({ nps: 3 });
    expect(feedback[0]?.original?.body).toBe(fixtureBytes('webhooks/typeform.json').toString());
  });
  it('answers a duplicate delivery with 202 and the same id', async () => {
    const { app } = await build();
    const a = await app.inject(typeform());
    const b = await app.inject(typeform());
    expect(b.statusCode).toBe(202);
    expect(b.json().feedbackId).toBe(a.json().feedbackId);
  });
  it('answers 401 problem+json to a changed byte and publishes nothing', async () => {
    const { app, feedback } = await build();
    const req = typeform();
    const payload = Buffer.from(req.payload);
    payload[50] = payload[50]! ^ 1;
    const res = await app.inject({ ...req, payload });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 401, detail: 'typeform signature mismatch' });
    expect(feedback).toHaveLength(0);
  });
  it('accepts every documented payload with its published signature', async () => {
    const { app, feedback } = await build();
    const sm = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/surveymonkey',
      headers: {
        'content-type': 'application/json',
        'sm-apikey': 'sm-test-client-id',
        'sm-signature': 'Dy4BheTZvnELx/iOwqw6MXP5fyY=',
      },
      payload: fixtureBytes('webhooks/surveymonkey.json'),
    });
    const q = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/qualtrics',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: fixtureBytes('webhooks/qualtrics.form-urlencoded.txt'),
    });
    const fb = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/formbricks',
      headers: {
        'content-type': 'application/json',
        'webhook-id': '6f1b0c0e8a4d5b0b3f1e2c7d9a8b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b',
        'webhook-timestamp': '1768471477',
        'webhook-signature': 'v1,8j9+NOYVjmDUcBLl2W4bUoyj7sruAj01tEQVjRdty/0=',
      },
      payload: fixtureBytes('webhooks/formbricks.json'),
    });
    const tally = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/tally',
      headers: {
        'content-type': 'application/json',
        'tally-signature': 'QVqsryX2BkHbkccHabhIYQ1UeNwpNcCGQqmcaMl+4SM=',
      },
      payload: fixtureBytes('webhooks/tally.json'),
    });
    const delighted = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/delighted',
      headers: {
        'content-type': 'application/json',
        'x-delighted-webhook-signature':
          'sha256=2209ae41a4d8b5dac40622e5630fc6747e05e78e1c07bc7345c25563c4473c6c',
      },
      payload: fixtureBytes('webhooks/delighted.json'),
    });
    expect([sm, q, fb, tally, delighted].map((r) => r.statusCode)).toEqual([202, 202, 202, 202, 202]);
    expect(feedback.map((f) => f.source)).toEqual([
      'surveymonkey',
      'qualtrics',
      'formbricks',
      'tally',
      'delighted',
    ]);
  });
  it('rejects a Standard Webhooks delivery whose timestamp is older than five minutes', async () => {
    const { app } = await build({}, false, FIXTURE_NOW + 301_000);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/formbricks',
      headers: {
        'content-type': 'application/json',
        'webhook-id': '6f1b0c0e8a4d5b0b3f1e2c7d9a8b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b',
        'webhook-timestamp': '1768471477',
        'webhook-signature': 'v1,8j9+NOYVjmDUcBLl2W4bUoyj7sruAj01tEQVjRdty/0=',
      },
      payload: fixtureBytes('webhooks/formbricks.json'),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe('formbricks signature expired');
  });
  it('answers HEAD on webhook URLs with 200', async () => {
    const { app } = await build();
    expect((await app.inject({ method: 'HEAD', url: '/v1/webhooks/surveymonkey' })).statusCode).toBe(200);
  });
  it('disables a source without a secret with a message naming the variable, unless allowed unsigned', async () => {
    const { app } = await build({ WEBHOOK_SECRET_TALLY: '' });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/tally',
      headers: { 'content-type': 'application/json' },
      payload: fixtureBytes('webhooks/tally.json'),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain('WEBHOOK_SECRET_TALLY');
    await app.close();
    const open = await build({ WEBHOOK_SECRET_TALLY: '', ALLOW_UNSIGNED_SOURCES: 'tally' });
    const ok = await open.app.inject({
      method: 'POST',
      url: '/v1/webhooks/tally',
      headers: { 'content-type': 'application/json' },
      payload: fixtureBytes('webhooks/tally.json'),
    });
    expect(ok.statusCode).toBe(202);
  });
  it('accepts a generic array and answers with every id', async () => {
    const { app, feedback } = await build();
    const item = {
      id: 'a',
      kind: 'survey_response',
      occurredAt: '2026-01-15T10:00:00Z',
      customer: { id: 'c1' },
      scores: { nps: 10 },
    };
    const res = await app.inject(signedGeneric(JSON.stringify([item, { ...item, id: 'b' }])));
    expect(res.statusCode).toBe(202);
    expect(res.json().feedbackIds).toEqual(['generic:a', 'generic:b']);
    expect(feedback).toHaveLength(2);
  });
});

describe('hostile and invalid input', () => {
  it('answers 400 naming the invalid fields, and publishes nothing', async () => {
    const { app, feedback } = await build();
    const res = await app.inject(
      signedGeneric(
        JSON.stringify({ id: 'a', kind: 'x', occurredAt: 'yesterday', customer: {}, scores: { nps: '9' } }),
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['kind', 'occurredAt', 'scores.nps']),
    );
    expect(feedback).toHaveLength(0);
  });
  it('rejects deep nesting, invalid UTF-8, broken JSON and wrong types with 400', async () => {
    const { app } = await build();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const invalidUtf8 = Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const manyKeys = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":0`).join(',')}}`;
    const manyItems = `[${Array.from({ length: 100_000 }, () => '{}').join(',')}]`;
    const wrongTypes = JSON.stringify({
      id: 7,
      kind: ['x'],
      occurredAt: {},
      customer: 'me',
      attributes: { a: { b: 1 } },
    });
    const huge = JSON.stringify({
      id: 'x'.repeat(500_000),
      kind: 'survey_response',
      occurredAt: '2026-01-15T10:00:00Z',
      customer: {},
    });
    for (const body of [
      deep,
      '{"id":',
      '"just a string"',
      'null',
      '[]',
      manyKeys,
      manyItems,
      wrongTypes,
      huge,
    ]) {
      const res = await app.inject(signedGeneric(body));
      expect(res.statusCode).toBe(400);
      expect(res.body.length).toBeLessThan(20_000);
    }
    const sig = signedGeneric('');
    const utf8 = await app.inject({
      ...sig,
      headers: {
        ...sig.headers,
        'webhook-signature': signStandardWebhooks(SECRET, 'msg_1', FIXTURE_NOW / 1000, invalidUtf8),
      },
      payload: invalidUtf8,
    });
    expect(utf8.statusCode).toBe(400);
    expect(utf8.json().detail).toContain('UTF-8');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
  it('answers 413 above the body limit and 415 to a wrong content type', async () => {
    const { app } = await build({ INGEST_MAX_BODY_BYTES: '2048' });
    const big = await app.inject({ ...typeform(), payload: Buffer.alloc(4096, 0x20) });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    const wrong = await app.inject({
      ...typeform(),
      headers: { ...typeform().headers, 'content-type': 'text/plain' },
      payload: 'hi',
    });
    expect(wrong.statusCode).toBe(415);
  });
  it('answers 429 with Retry-After once a source exceeds its rate', async () => {
    const { app } = await build({ INGEST_RATE_LIMIT_PER_SOURCE: '2' });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject(typeform())).statusCode);
    expect(codes.slice(0, 2)).toEqual([202, 202]);
    expect(codes).toContain(429);
  });
  it('answers 503 with Retry-After when Kafka does not acknowledge', async () => {
    const { app } = await build({}, true);
    const res = await app.inject(typeform());
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });
});

describe('API-key endpoints', () => {
  const auth = { authorization: 'Bearer key-two', 'content-type': 'application/json' };
  it('needs a known API key', async () => {
    const { app } = await build();
    const none = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    const wrong = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { ...auth, authorization: 'Bearer nope' },
      payload: '{}',
    });
    expect([none.statusCode, wrong.statusCode]).toEqual([401, 401]);
  });
  it('accepts interviews, mentions as NDJSON, and customer profiles', async () => {
    const { app, feedback, profiles } = await build();
    const note = await app.inject({
      method: 'POST',
      url: '/v1/interviews',
      headers: auth,
      payload: {
        customer: { id: 'cus_1' },
        interviewer: 'sam',
        date: '2026-01-10T09:00:00Z',
        title: 'Renewal call',
        notes: 'Pricing is confusing.',
        tags: ['pricing'],
      },
    });
    expect(note.statusCode).toBe(202);
    const mention = (i: number) =>
      JSON.stringify({
        platform: 'x',
        url: `https://x.com/a/status/${i}`,
        handle: '@fan',
        text: 'meh',
        postedAt: '2026-01-15T10:00:00Z',
      });
    const ndjson = await app.inject({
      method: 'POST',
      url: '/v1/mentions',
      headers: { ...auth, 'content-type': 'application/x-ndjson' },
      payload: `${mention(1)}\n${mention(2)}\n`,
    });
    expect(ndjson.statusCode).toBe(202);
    expect(ndjson.json().feedbackIds).toHaveLength(2);
    const customers = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: auth,
      payload: [{ id: 'cus_1', tier: 'enterprise', region: 'emea' }],
    });
    expect(customers.statusCode).toBe(202);
    expect(customers.json().customerIds).toEqual(['cus_1']);
    expect(feedback.map((f) => f.kind)).toEqual(['interview_note', 'social_mention', 'social_mention']);
    expect(profiles[0]).toMatchObject({ id: 'cus_1', tier: 'enterprise' });
  });
});

describe('Qualtrics form body', () => {
  it('verifies the HMAC over MSG, not the whole body', async () => {
    const { app } = await build();
    const form = new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString());
    const msg = form.get('MSG')!.replace('email', 'sms');
    form.set('MSG', msg);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/qualtrics',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(res.statusCode).toBe(401);
    form.set('HMAC', createHmac('sha512', 'qualtrics-shared-key').update(msg).digest('hex'));
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/qualtrics',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form.toString(),
    });
    expect(ok.statusCode).toBe(202);
  });
});
