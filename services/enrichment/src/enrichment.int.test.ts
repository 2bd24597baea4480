import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type CustomerProfile,
  DlqRecord,
  decode,
  EnrichedFeedback,
  FeedbackAlert,
  type RawFeedback,
  type topicNames,
} from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { adaptSurveyMonkey } from '@vocflow/sources';
import { fixtureBytes } from '@vocflow/sources/testing';
import { cleanupNamespace, createTopicsFor, stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { type Consumer, Kafka, logLevel, type Producer } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPseudonymKeying } from './customer-ref.pseudonyms.ts';
import { type EnrichmentHandle, start } from './main.ts';
import { profile, rawFeedback } from './test-fixtures.ts';

const settings = stackSettings();
const logger = createLogger({ service: 'enrichment-test', level: 'silent' });
const SECRET = `whsec_${Buffer.from('integration-secret-0123456789').toString('base64')}`;

async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Everything produced to the test's output topics, decoded. */
interface Outputs {
  readonly consumer: Consumer;
  readonly enriched: EnrichedFeedback[];
  readonly alerts: FeedbackAlert[];
  readonly dlq: DlqRecord[];
}

describe('enrichment on a real Kafka and Redis', () => {
  let prefix: string;
  let topics: ReturnType<typeof topicNames>;
  let kafka: Kafka;
  let producer: Producer;
  let outputs: Outputs;
  let redis: Redis;
  const handles: EnrichmentHandle[] = [];
  const servers: Server[] = [];

  beforeEach(async (context) => {
    prefix = testNamespace(context.task.name);
    topics = await createTopicsFor(prefix, settings.kafkaBrokers, { numPartitions: 2 });
    kafka = new Kafka({
      clientId: 'enrichment-test',
      brokers: [...settings.kafkaBrokers],
      logLevel: logLevel.NOTHING,
    });
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const consumer = kafka.consumer({ groupId: `${prefix}test-reader`, maxWaitTimeInMs: 100 });
    outputs = { consumer, enriched: [], alerts: [], dlq: [] };
    await consumer.connect();
    await consumer.subscribe({
      topics: [topics.feedbackEnriched, topics.alerts, topics.dlq],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (topic === topics.feedbackEnriched) {
          const d = decode(EnrichedFeedback, message.value);
          if (d.ok) outputs.enriched.push(d.value);
        } else if (topic === topics.alerts) {
          const d = decode(FeedbackAlert, message.value);
          if (d.ok) outputs.alerts.push(d.value);
        } else {
          const d = decode(DlqRecord, message.value);
          if (d.ok) outputs.dlq.push(d.value);
        }
      },
    });
    redis = new Redis(settings.redisUrl);
  });

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    await outputs.consumer.disconnect();
    await producer.disconnect();
    redis.disconnect();
    await cleanupNamespace(prefix, settings);
  });

  const env = (extra: Record<string, string> = {}) => ({
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    VOCFLOW_TOPIC_PREFIX: prefix,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: `${prefix}vf`,
    ENRICHMENT_OPS_PORT: '0',
    PII_HASH_SALT: 'test-salt',
    LOG_LEVEL: 'silent',
    ...extra,
  });

  const launch = async (extra: Record<string, string> = {}) => {
    const handle = await start(env(extra), { logger });
    handles.push(handle);
    await until(async () => ((await handle.isReady()) ? true : undefined), 'enrichment ready');
    return handle;
  };

  const sendRaw = (...items: (RawFeedback | string)[]) =>
    producer.send({
      topic: topics.feedbackRaw,
      messages: items.map((item) =>
        typeof item === 'string'
          ? { key: 'poison', value: item }
          : { key: item.customer.email ?? item.feedbackId, value: JSON.stringify(item) },
      ),
    });
  const sendProfile = (p: CustomerProfile) =>
    producer.send({ topic: topics.customers, messages: [{ key: p.id, value: JSON.stringify(p) }] });

  it('joins feedback to a profile that arrived before it, and reports ready on /readyz', async () => {
    await sendProfile(profile());
    const handle = await launch();
    expect(handle.customers.size).toBe(1);
    const readyz = await fetch(`http://127.0.0.1:${handle.opsPort}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toMatchObject({
      checks: { kafka: true, customer_table: true, consumer: true },
    });

    await sendRaw(rawFeedback());
    const enriched = await until(
      () => outputs.enriched.find((e) => e.feedbackId === 'fb-1'),
      'enriched record',
    );
    expect(enriched).toMatchObject({
      revision: 0,
      customer: { key: 'cus-acme', profile: { tier: 'Enterprise' } },
    });
    expect(enriched.segments).toContain('tier:enterprise');
    expect(enriched.segments).toContain('region:emea');
    expect(enriched.sentiment?.label).toBe('negative');
    expect(JSON.stringify(enriched.texts)).not.toContain('7946');
    const alerts = await until(
      () => (outputs.alerts.length >= 2 ? outputs.alerts : undefined),
      'both alerts',
    );
    expect(alerts.map((a) => a.rule).sort()).toEqual(['enterprise-strongly-negative', 'nps-detractor']);
  });

  it('counts feedback for an unknown customer under unknown and links it with revision + 1 when the profile arrives', async () => {
    await launch();
    await sendRaw(rawFeedback({ feedbackId: 'fb-late', customer: { email: 'Late@Acme.example' } }));
    const first = await until(
      () => outputs.enriched.find((e) => e.feedbackId === 'fb-late'),
      'unknown record',
    );
    expect(first).toMatchObject({ revision: 0, customer: { key: 'unknown', profile: null } });
    // The address travels only as its salted pseudonym, on the topic as in Redis.
    expect(first.customer.ref).toEqual({
      email: createPseudonymKeying('test-salt').email('late@acme.example'),
    });
    expect(first.segments).toEqual(['channel:survey', 'language:en', 'source:typeform']);
    // Filed under the salted pseudonym of the address: Redis keys never hold it in clear.
    const parkedKey = `${prefix}vf:unlinked:email:${createPseudonymKeying('test-salt').email('late@acme.example')}`;
    await until(async () => ((await redis.hexists(parkedKey, 'fb-late')) ? true : undefined), 'parked item');
    expect(await redis.ttl(parkedKey)).toBeGreaterThan(29 * 24 * 3600);
    expect(outputs.alerts.map((a) => a.rule)).toEqual(['nps-detractor']);

    await sendProfile(profile({ id: 'cus-late', email: 'late@acme.example', handles: [] }));
    const linked = await until(
      () => outputs.enriched.find((e) => e.feedbackId === 'fb-late' && e.revision === 1),
      'linked record',
    );
    expect(linked).toMatchObject({
      version: 1,
      customer: { key: 'cus-late', profile: { tier: 'Enterprise' } },
    });
    expect(linked.segments).toContain('tier:enterprise');
    expect(linked.texts).toEqual(first.texts);
    await until(
      async () => ((await redis.exists(parkedKey)) === 0 ? true : undefined),
      'parked item removed',
    );
    // The alert that needs the profile fires now; the one that already fired is not repeated.
    await until(() => outputs.alerts.find((a) => a.rule === 'enterprise-strongly-negative'), 'late alert');
    expect(outputs.alerts.filter((a) => a.rule === 'nps-detractor')).toHaveLength(1);
  });

  it('links a waiting item at start when its profile arrived while no instance ran', async () => {
    await redis.hset(
      `${prefix}vf:unlinked:handle:acmecorp`,
      'fb-offline',
      JSON.stringify({
        ...EnrichedFeedback.parse({
          schema: 'feedback.enriched.v1',
          feedbackId: 'fb-offline',
          version: 2,
          revision: 0,
          kind: 'social_mention',
          source: 'mention',
          channel: 'social',
          providerResponseId: 'p',
          occurredAt: '2026-11-20T10:00:00Z',
          receivedAt: '2026-11-20T10:00:00Z',
          enrichedAt: '2026-11-20T10:00:00Z',
          customer: { ref: { handle: '@AcmeCorp' }, key: 'unknown', profile: null },
          scores: {},
          normalized: {},
          sentiment: null,
          texts: [],
          answers: [],
          segments: ['channel:social', 'source:mention'],
        }),
      }),
    );
    await sendProfile(profile());
    await launch();
    const linked = await until(
      () => outputs.enriched.find((e) => e.feedbackId === 'fb-offline'),
      'linked at start',
    );
    expect(linked).toMatchObject({ version: 2, revision: 1, customer: { key: 'cus-acme' } });
  });

  it('sends poison input to the DLQ and keeps enriching the good records around it', async () => {
    await launch();
    await sendRaw(
      '{not json',
      JSON.stringify({ schema: 'feedback.raw.v1', feedbackId: 'broken' }),
      rawFeedback({ feedbackId: 'fb-good', customer: {} }),
    );
    await until(() => outputs.enriched.find((e) => e.feedbackId === 'fb-good'), 'good record');
    const dead = await until(() => (outputs.dlq.length >= 2 ? outputs.dlq : undefined), 'two DLQ records');
    for (const record of dead) {
      expect(record).toMatchObject({ stage: 'enrichment', reason: 'invalid_schema', step: 'parseRawStep' });
      expect(record.origin.topic).toBe(topics.feedbackRaw);
    }
    expect(dead.find((d) => d.issues?.some((i) => i.path === 'version'))).toBeDefined();
  });

  it('delivers alerts to the outbound webhook, signed, and sends undeliverable ones to the DLQ', async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        const alert = JSON.parse(body) as FeedbackAlert;
        response.statusCode = alert.feedbackId === 'fb-refused' ? 500 : 204;
        response.end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await launch({
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${port}/alerts`,
      ALERT_WEBHOOK_SECRET: SECRET,
      ALERT_WEBHOOK_MAX_ATTEMPTS: '3',
      ALERT_WEBHOOK_BACKOFF_MS: '20',
    });
    await sendRaw(
      rawFeedback({ feedbackId: 'fb-refused', customer: {} }),
      rawFeedback({ feedbackId: 'fb-alert', customer: {} }),
    );
    const delivered = await until(
      () => received.find((r) => JSON.parse(r.body).feedbackId === 'fb-alert'),
      'delivered alert',
    );
    expect(delivered.headers['webhook-id']).toBe('fb-alert:v1:nps-detractor');
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const signed = `${delivered.headers['webhook-id']}.${delivered.headers['webhook-timestamp']}.${delivered.body}`;
    expect(delivered.headers['webhook-signature']).toBe(
      `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
    );

    const dead = await until(() => outputs.dlq.find((d) => d.stage === 'alerts'), 'alert in the DLQ');
    expect(dead).toMatchObject({ reason: 'webhook_delivery_failed', attempts: 3, feedbackId: 'fb-refused' });
    expect(received.filter((r) => JSON.parse(r.body).feedbackId === 'fb-refused')).toHaveLength(3);
  });
  it('hydrates SurveyMonkey envelopes from the provider API first, and sends unhydratable ones to the DLQ', async () => {
    const provider = createServer((request, response) => {
      const routes: Record<string, string> = {
        '/v3/surveys/519087654/responses/118245678901/details':
          'provider-api/surveymonkey.response-details.json',
        '/v3/surveys/519087654/details': 'provider-api/surveymonkey.survey-details.json',
      };
      const file = routes[request.url ?? ''];
      if (file) response.writeHead(200, { 'content-type': 'application/json' }).end(fixtureBytes(file));
      else response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"id":"1020"}}');
    });
    servers.push(provider);
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    await launch({
      SURVEYMONKEY_API_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`,
      SURVEYMONKEY_ACCESS_TOKEN: 'sm-token',
    });
    const adapted = adaptSurveyMonkey(JSON.parse(fixtureBytes('webhooks/surveymonkey.json').toString()), {
      receivedAt: '2026-01-15T10:05:00.000Z',
      mappings: {},
    });
    if (!adapted.ok) throw new Error('fixture did not adapt');
    const envelope = adapted.records[0]!;
    expect(envelope.hydration?.status).toBe('pending');
    const missing = {
      ...envelope,
      feedbackId: 'surveymonkey:519087654:404',
      hydration: { ...envelope.hydration!, ref: { ...envelope.hydration!.ref, responseId: '404' } },
    };
    await sendRaw(envelope, missing);
    const enriched = await until(
      () => outputs.enriched.find((e) => e.feedbackId === envelope.feedbackId),
      'hydrated',
    );
    expect(enriched.normalized.nps).toEqual({ score: 3, category: 'detractor' });
    expect(enriched.texts[0]?.text).toContain('Invoices');
    const dead = await until(
      () => outputs.dlq.find((d) => d.feedbackId === undefined && d.stage === 'hydration'),
      'DLQ',
    );
    expect(dead).toMatchObject({ reason: 'hydration_failed', step: 'hydrateStep' });
  });
});
