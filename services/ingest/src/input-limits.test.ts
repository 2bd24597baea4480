import type { CustomerProfile, RawFeedback } from '@vocflow/contracts';
import { createLogger, createRegistry } from '@vocflow/observability';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.ts';
import { loadConfig } from './config.ts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import { createInputLimits, withInputLimits } from './input-limits.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

function raw(overrides: Partial<RawFeedback> = {}): RawFeedback {
  return {
    schema: 'feedback.raw.v1',
    feedbackId: 'generic:a',
    version: 0,
    kind: 'survey_response',
    source: 'generic',
    channel: 'survey',
    providerResponseId: 'a',
    occurredAt: new Date(NOW - DAY).toISOString(),
    receivedAt: new Date(NOW).toISOString(),
    customer: { id: 'c1' },
    answers: [],
    scores: {},
    texts: [],
    attributes: {},
    ...overrides,
  };
}

describe('input limits', () => {
  const limit = createInputLimits({ maxEventAgeDays: 3650, channels: [] });

  it('passes records inside the limits unchanged', () => {
    const record = raw({ channel: 'email' });
    expect(limit([record])).toEqual({ ok: true, records: [record] });
  });

  it('counts an unknown channel as other and keeps the original as an attribute', () => {
    const result = limit([
      raw({ channel: 'Carrier Pigeon', attributes: { plan: 'pro' } }),
      raw({ channel: 'In-App' }),
    ]);
    expect(result.ok && result.records.map((r) => [r.channel, r.attributes])).toEqual([
      ['other', { plan: 'pro', channel_original: 'Carrier Pigeon' }],
      ['in_app', {}],
    ]);
  });

  it('refuses event times outside [received − max age, received + 1 day] with each path', () => {
    const result = limit([
      raw(),
      raw({ occurredAt: '9999-12-31T00:00:00.000Z' }),
      raw({ occurredAt: '0001-01-01T00:00:00.000Z' }),
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual(['[1].occurredAt', '[2].occurredAt']);
    const tight = createInputLimits({ maxEventAgeDays: 7, channels: ['survey'] });
    expect(tight([raw({ occurredAt: new Date(NOW - 8 * DAY).toISOString() })]).ok).toBe(false);
    expect(tight([raw({ occurredAt: new Date(NOW + DAY + 1000).toISOString() })]).ok).toBe(false);
  });
});

describe('ingest applies the input limits to every source', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  async function build(env: Record<string, string> = {}) {
    const feedback: RawFeedback[] = [];
    const profiles: CustomerProfile[] = [];
    const inner: FeedbackPublisher = {
      async publishFeedback(records) {
        feedback.push(...records);
      },
      async publishProfiles(records) {
        profiles.push(...records);
      },
    };
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      API_KEYS: 'key-one',
      ALLOW_UNSIGNED_SOURCES: 'generic',
      ...env,
    });
    app = await buildIngestApp({
      config,
      logger: createLogger({ service: 'ingest', level: 'silent' }),
      registry: createRegistry('ingest-limits-test'),
      checks: [],
      publisher: withInputLimits(inner, config.inputLimits),
      mappings: {},
      now: () => NOW,
    });
    return { app, feedback, profiles };
  }
  const auth = { authorization: 'Bearer key-one', 'content-type': 'application/json' };
  const generic = (body: unknown) => ({
    method: 'POST' as const,
    url: '/v1/webhooks/generic',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  const item = {
    id: 'a',
    kind: 'survey_response',
    customer: { id: 'c1' },
    occurredAt: '2026-11-30T10:00:00Z',
  };

  it('answers 400 naming occurredAt for absurd dates from generic, interviews and mentions, and publishes nothing', async () => {
    const { app, feedback } = await build();
    const future = await app.inject(
      generic([item, { ...item, id: 'b', occurredAt: '9999-12-31T00:00:00Z' }]),
    );
    expect(future.statusCode).toBe(400);
    expect(future.json().issues).toEqual([
      { path: '[1].occurredAt', message: expect.stringMatching(/future/) },
    ]);
    const note = await app.inject({
      method: 'POST',
      url: '/v1/interviews',
      headers: auth,
      payload: { customer: { id: 'c1' }, interviewer: 'sam', date: '0001-01-01', title: 'Call', notes: 'ok' },
    });
    expect(note.statusCode).toBe(400);
    expect(note.json().issues[0].path).toBe('occurredAt');
    const mention = await app.inject({
      method: 'POST',
      url: '/v1/mentions',
      headers: auth,
      payload: {
        platform: 'weibo',
        url: 'https://weibo.com/1',
        handle: '@a',
        text: '不错',
        postedAt: '2999-01-01T00:00:00Z',
      },
    });
    expect(mention.statusCode).toBe(400);
    expect(feedback).toHaveLength(0);
  });

  it('honours MAX_EVENT_AGE_DAYS and VOCFLOW_CHANNELS', async () => {
    const { app, feedback } = await build({ MAX_EVENT_AGE_DAYS: '30', VOCFLOW_CHANNELS: 'kiosk,survey' });
    const old = await app.inject(generic({ ...item, occurredAt: '2026-10-01T00:00:00Z' }));
    expect(old.statusCode).toBe(400);
    const kiosk = await app.inject(generic({ ...item, channel: 'kiosk' }));
    const email = await app.inject(generic({ ...item, id: 'b', channel: 'email' }));
    expect([kiosk.statusCode, email.statusCode]).toEqual([202, 202]);
    expect(feedback.map((f) => [f.channel, f.attributes.channel_original])).toEqual([
      ['kiosk', undefined],
      ['other', 'email'],
    ]);
  });

  it('answers 400 with the field path to a profile over the attribute caps', async () => {
    const { app, profiles } = await build();
    const attributes = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, 'x']));
    const many = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: auth,
      payload: { id: 'c1', attributes },
    });
    expect(many.statusCode).toBe(400);
    expect(many.json().issues).toEqual([{ path: 'attributes', message: 'at most 100 attributes' }]);
    const long = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: auth,
      payload: { id: 'c1', attributes: { note: 'x'.repeat(257) } },
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().issues[0].path).toBe('attributes.note');
    expect(profiles).toHaveLength(0);
  });
});
