import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawFeedback } from '@vocflow/contracts';
import { RetryableError } from '@vocflow/steps';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adaptQualtrics } from '../adapters/qualtrics.adapter.ts';
import { adaptSurveyMonkey } from '../adapters/surveymonkey.adapter.ts';
import { fixtureBytes } from '../fixtures.ts';
import { createHydrateStep } from './hydrate.step.ts';

/** A local HTTP server serving the documented provider API response shapes. */
let server: Server;
let baseUrl: string;
let failuresLeft = 0;
let failStatus = 503;
const requests: { url: string; auth: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({
      url: req.url ?? '',
      auth: (req.headers['authorization'] ?? req.headers['x-api-token']) as string | undefined,
    });
    if (failuresLeft > 0) {
      failuresLeft--;
      res.writeHead(failStatus, { 'retry-after': '0' }).end('{}');
      return;
    }
    const routes: Record<string, string> = {
      '/v3/surveys/519087654/responses/118245678901/details':
        'provider-api/surveymonkey.response-details.json',
      '/v3/surveys/519087654/details': 'provider-api/surveymonkey.survey-details.json',
      '/API/v3/surveys/SV_cVn9uBwheR9hz01/responses/R_suq806jn8LGzhx7':
        'provider-api/qualtrics.response.json',
    };
    const file = routes[req.url ?? ''];
    if (!file)
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"error":{"id":"1020","name":"Resource Not Found"}}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(fixtureBytes(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  failuresLeft = 0;
  failStatus = 503;
  requests.length = 0;
});

const ctx = { receivedAt: '2026-01-15T10:05:00.000Z', mappings: {} };
const smEnvelope = () => {
  const r = adaptSurveyMonkey(JSON.parse(fixtureBytes('webhooks/surveymonkey.json').toString()), ctx);
  if (!r.ok) throw new Error('fixture');
  return r.records[0]!;
};
const qEnvelope = () => {
  const form = Object.fromEntries(
    new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString()),
  );
  const r = adaptQualtrics(form, ctx);
  if (!r.ok) throw new Error('fixture');
  return r.records[0]!;
};
const step = (attempts = 3) =>
  createHydrateStep({
    config: {
      surveymonkey: { baseUrl, accessToken: 'sm-token' },
      qualtrics: { baseUrl, apiToken: 'q-token' },
    },
    rateLimit: { perSecond: 1_000 },
    retries: { attempts, initialMs: 1, maxMs: 5 },
    mappings: { surveymonkey: { '519087654': { csat: '661543212' } } },
  });

describe('hydrateStep', () => {
  it('fills a SurveyMonkey envelope with answers, NPS from its own question type, customer and the comment', async () => {
    const result = await step()(smEnvelope());
    expect(result.kind).toBe('ok');
    const r = RawFeedback.parse(result.kind === 'ok' ? result.value : undefined);
    expect(r.hydration?.status).toBe('done');
    expect(r.scores).toEqual({ nps: 3, csat: 2 });
    expect(r.customer).toEqual({ id: 'cus_8842', email: 'laura@example.com' });
    expect(r.texts).toEqual([{ field: '661543211', text: expect.stringContaining('Invoices') }]);
    expect(r.feedbackId).toBe('surveymonkey:519087654:118245678901');
    expect(requests[0]?.auth).toBe('Bearer sm-token');
  });
  it('fills a Qualtrics envelope, taking NPS from the NPS group', async () => {
    const result = await step()(qEnvelope());
    const r = result.kind === 'ok' ? result.value : undefined;
    expect(r?.scores).toEqual({ nps: 3 });
    expect(r?.customer).toEqual({ id: 'cus_8842', email: 'laura@example.com' });
    expect(r?.texts).toEqual([{ field: 'QID2_TEXT', text: expect.stringContaining('Invoices') }]);
    expect(requests[0]?.auth).toBe('q-token');
  });
  it('passes records that need no hydration through unchanged', async () => {
    const done = { ...qEnvelope(), hydration: undefined };
    expect(await step()(done)).toEqual({ kind: 'ok', value: done });
    expect(requests).toHaveLength(0);
  });
  it('retries a provider 5xx within its bound and then succeeds', async () => {
    failuresLeft = 2;
    const result = await step(3)(qEnvelope());
    expect(result.kind).toBe('ok');
    expect(requests).toHaveLength(3);
  });
  it('throws RetryableError(provider) when the provider keeps failing or rate limiting', async () => {
    failuresLeft = 10;
    failStatus = 429;
    await expect(step(2)(qEnvelope())).rejects.toSatisfy(
      (e) => e instanceof RetryableError && e.dependency === 'provider',
    );
  });
  it('sends a response the provider does not know to the DLQ as hydration_failed', async () => {
    const missing = {
      ...qEnvelope(),
      hydration: {
        provider: 'qualtrics' as const,
        status: 'pending' as const,
        ref: { surveyId: 'SV_x', responseId: 'R_x' },
      },
    };
    expect(await step()(missing)).toMatchObject({
      kind: 'dlq',
      reason: 'hydration_failed',
      step: 'hydrateStep',
    });
  });
});
