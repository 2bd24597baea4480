import { createHmac } from 'node:crypto';
import net from 'node:net';
import { RawFeedback } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { signStandardWebhooks } from '@vocflow/sources';
import { fixtureBytes } from '@vocflow/sources/testing';
import { createTopicsFor, deleteTopics, stackSettings, testNamespace } from '@vocflow/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHandle, start } from './main.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/**
 * A Kafka client whose connections the test can cut and restore: while "stopped", every socket is
 * destroyed and new ones are refused, which is what the service sees when the broker goes away.
 */
function gatedKafka(brokers: string[]) {
  let stopped = false;
  const sockets = new Set<net.Socket>();
  const kafka = new Kafka({
    clientId: 'ingest-int',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { initialRetryTime: 100, retries: 3, maxRetryTime: 500 },
    socketFactory: ({ host, port, onConnect }) => {
      const socket = stopped
        ? net.connect({ host: '127.0.0.1', port: 1 })
        : net.connect({ host, port }, onConnect);
      socket.setKeepAlive(true, 30_000);
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      return socket;
    },
  });
  return {
    kafka,
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy(new Error('broker stopped'));
    },
    restart() {
      stopped = false;
    },
  };
}

let ns: string;
let brokers: string[];
let ingest: IngestHandle;
let gate: ReturnType<typeof gatedKafka>;

beforeAll(async () => {
  brokers = stackSettings().kafkaBrokers;
  ns = testNamespace('ingest');
  await createTopicsFor(ns, brokers, { numPartitions: 2, topics: ['feedback.raw.v1', 'customers.v1'] });
  gate = gatedKafka(brokers);
  ingest = await start(
    {
      KAFKA_BROKERS: brokers.join(','),
      VOCFLOW_TOPIC_PREFIX: ns,
      INGEST_PORT: '0',
      INGEST_HOST: '127.0.0.1',
      INGEST_KAFKA_TIMEOUT_MS: '2000',
      LOG_LEVEL: 'silent',
      WEBHOOK_SECRET_TYPEFORM: 'typeform-test-secret',
      WEBHOOK_SECRET_TALLY: 'tally-test-secret',
      WEBHOOK_SECRET_DELIGHTED: 'delighted-test-api-key',
      WEBHOOK_SECRET_QUALTRICS: 'qualtrics-shared-key',
      WEBHOOK_SECRET_FORMBRICKS: SECRET,
      WEBHOOK_SECRET_GENERIC: SECRET,
      SURVEYMONKEY_API_KEY: 'sm-test-client-id',
      SURVEYMONKEY_API_SECRET: 'sm-test-client-secret',
      API_KEYS: 'int-key',
    },
    {
      kafka: gate.kafka,
      logger: createLogger({ service: 'ingest', level: process.env['INGEST_TEST_LOG'] ?? 'silent' }),
      mappings: {
        typeform: { lT4Z3j: { nps: 'nps_score', comment: 'nps_reason' } },
        formbricks: { '*': { nps: 'nps_score', csat: 'csat_support', comment: 'nps_reason' } },
        tally: { mBzNlP: { csat: 'question_3EKz4n' } },
      },
      now: () => 1768471477_000,
    },
  );
});

afterAll(async () => {
  await ingest?.close();
  if (ns) await deleteTopics(ns, brokers);
});

async function readTopic(
  topic: string,
  expected: number,
  timeoutMs = 20_000,
): Promise<{ key: string; value: unknown }[]> {
  const kafka = new Kafka({ clientId: 'ingest-int-reader', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${ns}reader-${Math.random()}` });
  const seen: { key: string; value: unknown }[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push({
          key: message.key?.toString() ?? '',
          value: JSON.parse(message.value?.toString() ?? 'null'),
        });
        if (seen.length >= expected) resolve();
      },
    });
  });
  await Promise.race([done, new Promise((r) => setTimeout(r, timeoutMs))]);
  await consumer.disconnect();
  return seen;
}

const post = (path: string, headers: Record<string, string>, body: Buffer | string) =>
  fetch(`${ingest.url}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });

describe('ingest against the real Kafka', () => {
  it('writes each source’s documented payload to feedback.raw.v1 as its normalized record, keyed by customer', async () => {
    const responses = await Promise.all([
      post(
        '/v1/webhooks/typeform',
        {
          'content-type': 'application/json',
          'typeform-signature': 'sha256=3sZnRklqOI2Iw9MJk+Eyw9MeCuBdxoxvtjNmzfY68FQ=',
        },
        fixtureBytes('webhooks/typeform.json'),
      ),
      post(
        '/v1/webhooks/surveymonkey',
        {
          'content-type': 'application/json',
          'sm-apikey': 'sm-test-client-id',
          'sm-signature': 'Dy4BheTZvnELx/iOwqw6MXP5fyY=',
        },
        fixtureBytes('webhooks/surveymonkey.json'),
      ),
      post(
        '/v1/webhooks/qualtrics',
        { 'content-type': 'application/x-www-form-urlencoded' },
        fixtureBytes('webhooks/qualtrics.form-urlencoded.txt'),
      ),
      post(
        '/v1/webhooks/formbricks',
        {
          'content-type': 'application/json',
          'webhook-id': '6f1b0c0e8a4d5b0b3f1e2c7d9a8b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b',
          'webhook-timestamp': '1768471477',
          'webhook-signature': 'v1,8j9+NOYVjmDUcBLl2W4bUoyj7sruAj01tEQVjRdty/0=',
        },
        fixtureBytes('webhooks/formbricks.json'),
      ),
      post(
        '/v1/webhooks/tally',
        {
          'content-type': 'application/json',
          'tally-signature': 'QVqsryX2BkHbkccHabhIYQ1UeNwpNcCGQqmcaMl+4SM=',
        },
        fixtureBytes('webhooks/tally.json'),
      ),
      post(
        '/v1/webhooks/delighted',
        {
          'content-type': 'application/json',
          'x-delighted-webhook-signature':
            'sha256=2209ae41a4d8b5dac40622e5630fc6747e05e78e1c07bc7345c25563c4473c6c',
        },
        fixtureBytes('webhooks/delighted.json'),
      ),
    ]);
    const generic = JSON.stringify({
      id: 'ext-42',
      kind: 'survey_response',
      occurredAt: '2026-01-15T10:00:00Z',
      customer: { id: 'cus_8842' },
      scores: { csat: 4 },
      text: 'Fine.',
    });
    responses.push(
      await post(
        '/v1/webhooks/generic',
        {
          'content-type': 'application/json',
          'webhook-id': 'msg_int',
          'webhook-timestamp': '1768471477',
          'webhook-signature': signStandardWebhooks(SECRET, 'msg_int', 1768471477, generic),
        },
        generic,
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202, 202]);
    const ids = await Promise.all(
      responses.map(async (r) => ((await r.json()) as { feedbackId: string }).feedbackId),
    );

    const records = await readTopic(`${ns}feedback.raw.v1`, 7);
    const byId = new Map(records.map((r) => [(r.value as RawFeedback).feedbackId, r]));
    expect([...byId.keys()].sort()).toEqual([...ids].sort());
    for (const r of records) expect(RawFeedback.safeParse(r.value).success).toBe(true);
    const typeform = byId.get('typeform:lT4Z3j:a3a12ec67a1365927098a606107fac15')!;
    expect(typeform.key).toBe('id:cus_8842');
    expect(typeform.value).toMatchObject({
      source: 'typeform',
      scores: { nps: 3 },
      occurredAt: '2026-01-15T10:04:37.000Z',
      customer: { id: 'cus_8842' },
    });
    expect(byId.get('surveymonkey:519087654:118245678901')?.value).toMatchObject({
      hydration: { provider: 'surveymonkey', status: 'pending' },
    });
    expect(byId.get('qualtrics:SV_cVn9uBwheR9hz01:R_suq806jn8LGzhx7')?.value).toMatchObject({
      hydration: { provider: 'qualtrics', status: 'pending' },
    });
    expect(byId.get('formbricks:cm5w9t3c20000qh7z1a2b3c4d:cm5x2lq1v0007qh7z8m2n4p6r')?.value).toMatchObject({
      scores: { nps: 3, csat: 2 },
      customer: { id: 'usr_8842' },
    });
    expect(byId.get('tally:mBzNlP:2Eq8kGz')?.value).toMatchObject({
      scores: { csat: 2 },
      customer: { id: 'cus_8842' },
    });
    expect(byId.get('delighted:5435')?.value).toMatchObject({
      scores: { nps: 3 },
      customer: { id: 'cus_8842' },
    });
    expect(byId.get('generic:ext-42')?.value).toMatchObject({
      scores: { csat: 4 },
      texts: [{ field: 'text', text: 'Fine.' }],
    });
  });

  it('writes customer profiles to customers.v1 keyed by id', async () => {
    const res = await post(
      '/v1/customers',
      { 'content-type': 'application/json', authorization: 'Bearer int-key' },
      JSON.stringify([{ id: 'cus_8842', tier: 'enterprise', region: 'emea' }]),
    );
    expect(res.status).toBe(202);
    const records = await readTopic(`${ns}customers.v1`, 1);
    expect(records[0]).toMatchObject({
      key: 'cus_8842',
      value: { schema: 'customers.v1', id: 'cus_8842', tier: 'enterprise' },
    });
  });

  it('answers 503 with Retry-After while Kafka is stopped, and 202 again after it restarts, losing nothing', async () => {
    const body = (i: number) =>
      JSON.stringify({
        id: `outage-${i}`,
        kind: 'survey_response',
        occurredAt: '2026-01-15T10:00:00Z',
        customer: { id: 'cus_1' },
        scores: { nps: 9 },
      });
    const send = (i: number) => {
      const b = body(i);
      return post(
        '/v1/webhooks/generic',
        {
          'content-type': 'application/json',
          'webhook-id': `msg_${i}`,
          'webhook-timestamp': '1768471477',
          'webhook-signature': signStandardWebhooks(SECRET, `msg_${i}`, 1768471477, b),
        },
        b,
      );
    };
    expect((await send(0)).status).toBe(202);

    gate.stop();
    const started = Date.now();
    const during = await send(1);
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${ingest.url}/healthz`)).status).toBe(200);

    gate.restart();
    // The provider retries until it gets a 2xx; no restart of ingest.
    let status = 0;
    const deadline = Date.now() + 45_000;
    while (status !== 202 && Date.now() < deadline) {
      status = (await send(1)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(202);
    expect((await send(2)).status).toBe(202);

    const records = await readTopic(`${ns}feedback.raw.v1`, 10);
    const ids = new Set(records.map((r) => (r.value as RawFeedback).feedbackId));
    for (const id of ['generic:outage-0', 'generic:outage-1', 'generic:outage-2'])
      expect(ids.has(id)).toBe(true);
  });

  it('publishes nothing for rejected requests', async () => {
    const bad = await post(
      '/v1/webhooks/typeform',
      { 'content-type': 'application/json', 'typeform-signature': 'sha256=AAAA' },
      fixtureBytes('webhooks/typeform.json'),
    );
    expect(bad.status).toBe(401);
    const q = new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString());
    q.set('MSG', q.get('MSG')!.replace('R_suq806jn8LGzhx7', 'R_forged'));
    const forged = await post(
      '/v1/webhooks/qualtrics',
      { 'content-type': 'application/x-www-form-urlencoded' },
      q.toString(),
    );
    expect(forged.status).toBe(401);
    q.set('HMAC', createHmac('sha512', 'qualtrics-shared-key').update(q.get('MSG')!).digest('hex'));
    expect(
      (
        await post(
          '/v1/webhooks/qualtrics',
          { 'content-type': 'application/x-www-form-urlencoded' },
          q.toString(),
        )
      ).status,
    ).toBe(202);
    const records = await readTopic(`${ns}feedback.raw.v1`, 11);
    expect(records.some((r) => (r.value as RawFeedback).providerResponseId === 'R_forged')).toBe(true);
    expect(records.filter((r) => (r.value as RawFeedback).source === 'typeform')).toHaveLength(1);
  });
});
