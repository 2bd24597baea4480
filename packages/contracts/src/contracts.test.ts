import { describe, expect, it } from 'vitest';
import { FeedbackAlert } from './alert.schema.ts';
import { decode, encode, outputsChecked } from './codec.ts';
import { CustomerProfile } from './customer.schema.ts';
import { DlqRecord } from './dlq.schema.ts';
import { EnrichedFeedback } from './feedback-enriched.schema.ts';
import { RawFeedback } from './feedback-raw.schema.ts';
import { RollupChange } from './rollup.schema.ts';
import { MAX_RECORD_BYTES, settingsFor, TOPIC_SETTINGS, TOPICS, topicNames } from './topics.ts';

const raw: RawFeedback = {
  schema: 'feedback.raw.v1',
  feedbackId: 'typeform:lT4Z3j:a3a12ec67a1365927098a606107fac15',
  version: 1_700_000_000_000,
  kind: 'survey_response',
  source: 'typeform',
  channel: 'survey',
  formId: 'lT4Z3j',
  providerResponseId: 'a3a12ec67a1365927098a606107fac15',
  occurredAt: '2026-11-20T10:15:00Z',
  receivedAt: '2026-11-20T10:15:01.250Z',
  customer: { email: 'ana@example.com' },
  answers: [
    { questionId: 'q1', type: 'opinion_scale', title: 'How likely…', value: 9, role: 'nps' },
    { questionId: 'q2', type: 'long_text', value: 'Great support', role: 'comment' },
  ],
  scores: { nps: 9 },
  texts: [{ field: 'q2', text: 'Great support' }],
  attributes: { plan: 'pro' },
  original: { contentType: 'application/json', body: '{"event_id":"x"}' },
};

const enriched: EnrichedFeedback = {
  schema: 'feedback.enriched.v1',
  feedbackId: raw.feedbackId,
  version: raw.version,
  revision: 0,
  kind: 'survey_response',
  source: 'typeform',
  channel: 'survey',
  providerResponseId: raw.providerResponseId,
  occurredAt: raw.occurredAt,
  receivedAt: raw.receivedAt,
  enrichedAt: '2026-11-20T10:15:01.400Z',
  customer: {
    ref: { email: 'ana@example.com' },
    key: 'c-42',
    profile: { tier: 'enterprise', attributes: {} },
  },
  scores: { nps: 9 },
  normalized: { nps: { score: 9, category: 'promoter' } },
  sentiment: {
    score: 0.6,
    label: 'positive',
    confidence: 0.8,
    language: 'en',
    supported: true,
    aspects: [{ aspect: 'support', score: 0.6, label: 'positive', evidence: ['support'] }],
    analyzerVersion: 'test',
  },
  texts: [{ field: 'q2', text: 'Great support' }],
  answers: raw.answers,
  segments: ['tier:enterprise', 'channel:survey'],
  attributes: {},
};

describe('contracts', () => {
  it('round-trips a raw feedback record through bytes', () => {
    const decoded = decode(RawFeedback, encode(RawFeedback, raw));
    expect(decoded).toEqual({ ok: true, value: raw });
  });

  it('round-trips an enriched record, a profile, an alert, a rollup change and a DLQ record', () => {
    const profile: CustomerProfile = {
      schema: 'customers.v1',
      id: 'c-42',
      email: 'ana@example.com',
      tier: 'enterprise',
      region: 'EMEA',
      handles: ['@ana'],
      attributes: { seats: 40 },
      updatedAt: '2026-11-20T10:00:00Z',
    };
    const alert: FeedbackAlert = {
      schema: 'feedback.alerts.v1',
      alertId: 'a1',
      rule: 'detractor',
      severity: 'warning',
      feedbackId: 'f1',
      version: 1,
      customerKey: 'c-42',
      segments: [],
      source: 'typeform',
      channel: 'survey',
      nps: 3,
      occurredAt: '2026-11-20T10:00:00Z',
      createdAt: '2026-11-20T10:00:01Z',
    };
    const counters = {
      count: 1,
      npsPromoters: 1,
      npsPassives: 0,
      npsDetractors: 0,
      csatSatisfied: 0,
      csatAnswered: 0,
      cesSum: 0,
      cesCount: 0,
      sentimentSum: 0.6,
      sentimentCount: 1,
      sentimentNegative: 0,
      sentimentNeutral: 0,
      sentimentPositive: 1,
      aspects: {
        support: {
          count: 1,
          sum: 0.6,
          negative: 0,
          neutral: 0,
          positive: 1,
          npsPromoters: 1,
          npsPassives: 0,
          npsDetractors: 0,
        },
      },
      channels: { survey: 1 },
    };
    const change: RollupChange = {
      schema: 'rollups.v1',
      scope: 'segment',
      id: 'tier:enterprise',
      granularity: 'day',
      bucketStart: '2026-11-20T00:00:00Z',
      counters,
      updatedAt: '2026-11-20T10:00:02Z',
    };
    const dlqRecord: DlqRecord = {
      schema: 'feedback.dlq.v1',
      stage: 'enrichment',
      reason: 'invalid_schema',
      step: 'parseRawStep',
      issues: [{ path: 'occurredAt', message: 'Invalid ISO datetime' }],
      attempts: 1,
      origin: { topic: 'feedback.raw.v1', partition: 3, offset: '1042' },
      original: { key: null, value: Buffer.from('{"bad":true}').toString('base64'), headers: { h: 'dg==' } },
      service: 'enrichment',
      failedAt: '2026-11-20T10:00:03Z',
    };
    for (const [schema, value] of [
      [EnrichedFeedback, enriched],
      [CustomerProfile, profile],
      [FeedbackAlert, alert],
      [RollupChange, change],
      [DlqRecord, dlqRecord],
    ] as const) {
      expect(decode(schema, encode(schema, value as never))).toEqual({ ok: true, value });
    }
  });

  it('decodes a rollup change written before aspects kept labels and NPS classes, with those at 0', () => {
    const counters = {
      count: 1,
      npsPromoters: 0,
      npsPassives: 0,
      npsDetractors: 0,
      csatSatisfied: 0,
      csatAnswered: 0,
      cesSum: 0,
      cesCount: 0,
      sentimentSum: 0.6,
      sentimentCount: 1,
      sentimentNegative: 0,
      sentimentNeutral: 0,
      sentimentPositive: 1,
      aspects: { support: { count: 1, sum: 0.6 } },
      channels: {},
    };
    const old = JSON.stringify({
      schema: 'rollups.v1',
      scope: 'overall',
      id: 'overall',
      granularity: 'all',
      counters,
      updatedAt: '2026-11-20T10:00:02Z',
    });
    const decoded = decode(RollupChange, old);
    expect(decoded.ok && decoded.value.counters.aspects['support']).toEqual({
      count: 1,
      sum: 0.6,
      negative: 0,
      neutral: 0,
      positive: 0,
      npsPromoters: 0,
      npsPassives: 0,
      npsDetractors: 0,
    });
  });

  it('reports every invalid field with its path instead of throwing', () => {
    const bad = { ...raw, occurredAt: 'yesterday', scores: { nps: 11 }, kind: 'tweet' };
    const decoded = decode(RawFeedback, JSON.stringify(bad));
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.issues.map((i) => i.path).sort()).toEqual(['kind', 'occurredAt', 'scores.nps']);
  });

  it('rejects bytes that are not JSON and unknown fields', () => {
    expect(decode(RawFeedback, Buffer.from('{not json')).ok).toBe(false);
    expect(decode(RawFeedback, JSON.stringify({ ...raw, extra: 1 })).ok).toBe(false);
    expect(decode(RawFeedback, null).ok).toBe(false);
  });

  it('refuses to encode a record that breaks its contract', () => {
    expect(() => encode(RawFeedback, { ...raw, version: -1 })).toThrow();
  });

  it('compacts the customers topic and deletes-by-time the event topics', () => {
    expect(TOPIC_SETTINGS[TOPICS.customers].config['cleanup.policy']).toBe('compact');
    // Record size is a contract: explicit on every topic, never the broker's default.
    for (const topic of Object.values(TOPICS))
      expect(Number(TOPIC_SETTINGS[topic].config['max.message.bytes'])).toBe(MAX_RECORD_BYTES[topic]);
    expect(TOPIC_SETTINGS[TOPICS.feedbackRaw].config['cleanup.policy']).toBe('delete');
    expect(Number(TOPIC_SETTINGS[TOPICS.feedbackRaw].config['retention.ms'])).toBeGreaterThan(0);
  });

  it('prefixes every topic name and finds settings for prefixed names', () => {
    const names = topicNames('t-1.');
    expect(names.feedbackRaw).toBe('t-1.feedback.raw.v1');
    expect(names.dlq).toBe('t-1.feedback.dlq.v1');
    expect(settingsFor(names.customers)).toBe(TOPIC_SETTINGS['customers.v1']);
    expect(() => settingsFor('other.topic')).toThrow(/no settings/);
  });
});

describe('outputsChecked', () => {
  it('checks what a process encodes everywhere but in production, unless asked to', () => {
    expect(outputsChecked({ NODE_ENV: 'test' })).toBe(true);
    expect(outputsChecked({})).toBe(true);
    expect(outputsChecked({ NODE_ENV: 'production' })).toBe(false);
    expect(outputsChecked({ NODE_ENV: 'production', VOCFLOW_CHECK_OUTPUTS: '1' })).toBe(true);
  });
});
