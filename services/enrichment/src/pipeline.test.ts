import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { CustomerTable } from './customer-table.store.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline, type PipelineDeps } from './pipeline.ts';
import type { SegmentRule } from './segments.rules.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from './test-fixtures.ts';

const NOW = new Date('2026-11-22T08:00:00Z');
const enterpriseEmea: SegmentRule = {
  id: 'enterprise-emea',
  name: 'Enterprise EMEA',
  match: {
    all: [
      { attribute: 'tier', equals: 'enterprise' },
      { attribute: 'region', in: ['EMEA'] },
    ],
  },
};

function setup(overrides: Partial<PipelineDeps> = {}) {
  const customers = new CustomerTable();
  const pipeline = createEnrichmentPipeline({
    analyzer: keywordAnalyzer,
    customers,
    redactor: createPiiRedactor({ enabled: true, hashSalt: 'salt' }),
    segmentRules: [enterpriseEmea],
    alertRules: DEFAULT_ALERT_RULES,
    now: () => NOW,
    ...overrides,
  });
  return { customers, pipeline };
}

async function enrich(pipeline: ReturnType<typeof setup>['pipeline'], value: unknown) {
  const result = await pipeline(inbound(value));
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result.value;
}

describe('enrichment pipeline', () => {
  it('sends a record that is not feedback.raw.v1 to the DLQ with its issues', async () => {
    const { pipeline } = setup();
    const result = await pipeline(inbound({ ...rawFeedback(), version: -1 }));
    expect(result).toMatchObject({ kind: 'dlq', reason: 'invalid_schema', step: 'parseRawStep' });
    expect(result.kind === 'dlq' && result.issues?.[0]?.path).toBe('version');
    expect(await pipeline(inbound('{not json'))).toMatchObject({ kind: 'dlq', reason: 'invalid_schema' });
    expect(await pipeline(inbound(null))).toMatchObject({ kind: 'dlq', reason: 'invalid_schema' });
  });

  it('joins the profile by email regardless of case and derives the segments', async () => {
    const { customers, pipeline } = setup();
    customers.upsert(profile());
    const out = await enrich(pipeline, rawFeedback());
    expect(out.enriched.customer.key).toBe('cus-acme');
    // The record carries only what downstream reads of the profile (the alert rules read tier).
    expect(out.enriched.customer.profile).toEqual({ tier: 'Enterprise', region: 'EMEA', attributes: {} });
    // Only the listed attributes form segments (SEGMENT_ATTRIBUTES), not every profile attribute.
    expect(out.enriched.segments).toEqual([
      'channel:survey',
      'enterprise-emea',
      'language:en',
      'region:emea',
      'source:typeform',
      'tier:enterprise',
    ]);
    expect(out.awaitsProfile).toBe(false);
  });

  it('resolves by id first, then email, then handle', async () => {
    const { customers, pipeline } = setup();
    customers.upsert(profile({ id: 'by-id', email: 'x@y.example', handles: [] }));
    customers.upsert(profile({ id: 'by-email', email: 'ops@acme.example', handles: [] }));
    customers.upsert(profile({ id: 'by-handle', email: 'z@y.example', handles: ['acmecorp'] }));
    const customer = (c: object) => enrich(pipeline, rawFeedback({ customer: c }));
    expect((await customer({ id: 'by-id', email: 'ops@acme.example' })).enriched.customer.key).toBe('by-id');
    expect((await customer({ id: 'nobody', email: 'OPS@acme.example' })).enriched.customer.key).toBe(
      'by-email',
    );
    expect((await customer({ handle: '@AcmeCorp' })).enriched.customer.key).toBe('by-handle');
  });

  it('counts an unresolved customer under unknown with no profile segments and parks it', async () => {
    const { pipeline } = setup();
    const out = await enrich(pipeline, rawFeedback());
    expect(out.enriched.customer).toMatchObject({ key: 'unknown', profile: null });
    expect(out.enriched.segments).toEqual(['channel:survey', 'language:en', 'source:typeform']);
    expect(out.awaitsProfile).toBe(true);
    const anonymous = await enrich(pipeline, rawFeedback({ customer: {} }));
    expect(anonymous.awaitsProfile).toBe(false);
  });

  it('normalizes NPS into categories, CSAT into satisfied, and keeps CES', async () => {
    const { pipeline } = setup();
    const normalized = async (scores: object) =>
      (await enrich(pipeline, rawFeedback({ scores }))).enriched.normalized;
    expect(await normalized({ nps: 6, csat: 3, ces: 5 })).toEqual({
      nps: { score: 6, category: 'detractor' },
      csat: { score: 3, satisfied: false },
      ces: { score: 5 },
    });
    expect((await normalized({ nps: 7, csat: 4 })).nps?.category).toBe('passive');
    expect((await normalized({ nps: 8 })).nps?.category).toBe('passive');
    expect((await normalized({ nps: 9, csat: 5 })).nps?.category).toBe('promoter');
    expect((await normalized({ csat: 4 })).csat?.satisfied).toBe(true);
    expect(await normalized({})).toEqual({});
  });

  it('scores all text of the item once and has no sentiment without text', async () => {
    const seen: string[] = [];
    const { pipeline } = setup({
      analyzer: {
        analyze: (text) => {
          seen.push(text);
          return keywordAnalyzer.analyze(text);
        },
      },
    });
    await enrich(
      pipeline,
      rawFeedback({
        texts: [{ field: 'notes', text: 'Great onboarding' }],
        answers: [{ questionId: 'c', type: 'long_text', value: 'Support is slow', role: 'comment' }],
      }),
    );
    expect(seen).toEqual(['Great onboarding\nSupport is slow']);
    const silent = await enrich(pipeline, rawFeedback({ texts: [], answers: [] }));
    expect(silent.enriched.sentiment).toBeNull();
  });

  it('redacts PII from texts and answers before the record leaves', async () => {
    const { pipeline } = setup();
    const out = await enrich(
      pipeline,
      rawFeedback({
        texts: [{ field: 'q2', text: 'mail jane@acme.example or card 4111 1111 1111 1111' }],
      }),
    );
    expect(out.enriched.texts[0]!.text).toMatch(/^mail \[email:[0-9a-f]{8}\] or card \[card\]$/);
    expect(out.enriched.answers[1]!.value).toMatch(/call me on \[phone:[0-9a-f]{8}\]$/);
    expect(JSON.stringify(out)).not.toContain('7946');
  });

  it('raises the NPS detractor alert and the enterprise strongly-negative alert with deterministic ids', async () => {
    const { customers, pipeline } = setup();
    customers.upsert(profile());
    const out = await enrich(pipeline, rawFeedback());
    expect(out.alerts.map((a) => [a.alertId, a.severity])).toEqual([
      ['fb-1:v1:nps-detractor', 'warning'],
      ['fb-1:v1:enterprise-strongly-negative', 'critical'],
    ]);
    expect(out.alerts[0]!.excerpt).not.toContain('7946');
    const promoter = await enrich(pipeline, rawFeedback({ scores: { nps: 10 }, texts: [], answers: [] }));
    expect(promoter.alerts).toEqual([]);
  });

  it('hydrates pending records first and sends them to the DLQ when no hydrator is configured', async () => {
    const pending = rawFeedback({
      source: 'surveymonkey',
      hydration: { provider: 'surveymonkey', status: 'pending', ref: { surveyId: 's', responseId: 'r' } },
      texts: [],
      answers: [],
      scores: {},
    });
    const without = setup();
    expect(await without.pipeline(inbound(pending))).toMatchObject({
      kind: 'dlq',
      reason: 'hydration_unavailable',
    });
    const { pipeline } = setup({
      hydrator: (raw) => ({
        kind: 'ok',
        value: { ...raw, scores: { nps: 10 }, hydration: { ...raw.hydration!, status: 'done' } },
      }),
    });
    const out = await enrich(pipeline, pending);
    expect(out.enriched.normalized.nps?.category).toBe('promoter');
  });
});
