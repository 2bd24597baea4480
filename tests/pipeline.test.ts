import { createHmac } from 'node:crypto';
import { signZendesk } from '@vocflow/sources';
import { fixtureBytes } from '@vocflow/sources/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_SECRETS,
  type Pipeline,
  standardWebhooksHeaders,
  startPipeline,
  waitUntil,
} from './harness/pipeline.harness.ts';

/**
 * The documented payload of every source, posted to ingest, comes out as the right numbers from the
 * query API and the right files in S3.
 */

interface Counts {
  count: number;
  npsPromoters: number;
  npsPassives: number;
  npsDetractors: number;
  csatSatisfied: number;
  csatAnswered: number;
  cesSum: number;
  cesCount: number;
  channels: Record<string, number>;
}
interface Measured {
  counts: Counts;
  metrics: {
    nps: number | null;
    csatPercent: number | null;
    cesMean: number | null;
    sentimentMean: number | null;
  };
}

const MAPPINGS = {
  typeform: { lT4Z3j: { nps: 'nps_score', comment: 'nps_reason' } },
  tally: { mBzNlP: { nps: 'question_nPzYqX', csat: 'question_3EKz4n', comment: 'question_mR4Wg1' } },
  formbricks: {
    cm5w9t3c20000qh7z1a2b3c4d: { nps: 'nps_score', csat: 'csat_support', comment: 'nps_reason' },
  },
  jotform: {
    '241234567890123': {
      nps: 'q3_howLikely',
      comment: 'q4_whatIs',
      customer: { id: 'q6_customerId', email: 'q5_email' },
    },
  },
};

const json = { 'content-type': 'application/json' };
const bearer = (p: Pipeline) => ({ ...json, authorization: `Bearer ${p.apiKey}` });
const fixture = (name: string) => fixtureBytes(`webhooks/${name}`);

function delighted(body: Buffer | string) {
  const signature = createHmac('sha256', FIXTURE_SECRETS.WEBHOOK_SECRET_DELIGHTED).update(body).digest('hex');
  return { ...json, 'x-delighted-webhook-signature': `sha256=${signature}` };
}

const generic = (id: string, nps: number, csat: number, ces: number) =>
  JSON.stringify({
    id,
    kind: 'survey_response',
    occurredAt: '2026-01-15T11:00:00Z',
    customer: { id: 'cus_1000' },
    scores: { nps, csat, ces },
    text: nps >= 9 ? 'Fantastic support, fast and friendly.' : 'Slow and confusing.',
  });

async function overview(p: Pipeline) {
  const response = await p.api<{ totals: Measured; pipeline: { ingested: number; dlq: number } | null }>(
    '/v1/overview',
  );
  expect(response.status).toBe(200);
  return response.body;
}

describe('the whole pipeline', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await startPipeline({
      name: 'pipeline',
      mappings: MAPPINGS,
      env: { ARCHIVE_MAX_AGE_MS: '500', FEEDS_INTERVAL_MS: '1000', ROLLUP_CHANGES_INTERVAL_MS: '500' },
    });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('counts the documented payload of every source exactly once, with the right metrics', async () => {
    const profiles = [
      { id: 'cus_8842', email: 'laura@example.com', name: 'Laura', tier: 'enterprise', region: 'emea' },
      { id: 'cus_1000', email: 'sam@example.com', name: 'Sam', tier: 'starter', region: 'amer' },
    ];
    expect((await p.post('/v1/customers', JSON.stringify(profiles), bearer(p))).status).toBe(202);
    await waitUntil(
      'the profile to reach the API',
      () => p.api('/v1/customers/cus_8842'),
      (r) => r.status === 200,
      60_000,
    );

    const posts = [
      p.post('/v1/webhooks/typeform', fixture('typeform.json'), {
        ...json,
        'typeform-signature': 'sha256=3sZnRklqOI2Iw9MJk+Eyw9MeCuBdxoxvtjNmzfY68FQ=',
      }),
      p.post('/v1/webhooks/tally', fixture('tally.json'), {
        ...json,
        'tally-signature': 'QVqsryX2BkHbkccHabhIYQ1UeNwpNcCGQqmcaMl+4SM=',
      }),
      p.post('/v1/webhooks/delighted', fixture('delighted.json'), delighted(fixture('delighted.json'))),
      p.post('/v1/webhooks/formbricks', fixture('formbricks.json'), {
        ...json,
        ...standardWebhooksHeaders(
          FIXTURE_SECRETS.WEBHOOK_SECRET_FORMBRICKS,
          'msg_formbricks_1',
          fixture('formbricks.json'),
        ),
      }),
      p.post('/v1/webhooks/generic', generic('gen-1', 10, 5, 2), {
        ...json,
        ...standardWebhooksHeaders(
          FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC,
          'msg_gen_1',
          generic('gen-1', 10, 5, 2),
        ),
      }),
      p.post(
        '/v1/interviews',
        JSON.stringify({
          id: 'int-1',
          customer: { id: 'cus_8842' },
          interviewer: 'maria.csm',
          date: '2026-01-15',
          title: 'QBR',
          notes: 'Billing errors two months in a row; support was slow. Likes the dashboard.',
        }),
        bearer(p),
      ),
      p.post(
        '/v1/mentions',
        JSON.stringify({
          platform: 'x',
          url: 'https://x.example/acme/status/1',
          handle: '@laura',
          text: 'Support at @acme fixed my issue in minutes, great service!',
          postedAt: '2026-01-15T12:00:00Z',
        }),
        bearer(p),
      ),
    ];
    const answers = await Promise.all(posts);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202, 202, 202, 202]);

    const done = await waitUntil(
      '7 items in the overview',
      () => overview(p),
      (o) => o.totals.counts.count === 7,
      90_000,
    );
    const c = done.totals.counts;
    expect({ promoters: c.npsPromoters, passives: c.npsPassives, detractors: c.npsDetractors }).toEqual({
      promoters: 1,
      passives: 0,
      detractors: 4,
    });
    expect(done.totals.metrics.nps).toBeCloseTo(-60, 6);
    expect({ satisfied: c.csatSatisfied, answered: c.csatAnswered }).toEqual({ satisfied: 1, answered: 3 });
    // 1 of 3 satisfied; the API rounds derived metrics to two decimals.
    expect(done.totals.metrics.csatPercent).toBe(33.33);
    expect({ cesSum: c.cesSum, cesCount: c.cesCount }).toEqual({ cesSum: 2, cesCount: 1 });
    // The api refreshes its Kafka counts in the background (API_PIPELINE_COUNTS_CACHE_MS): the
    // rollups can be complete before the next refresh sees the records ingest accepted.
    await waitUntil(
      'the ingested records in the pipeline counts',
      () => overview(p),
      (o) => (o.pipeline?.ingested ?? 0) >= 7,
      30_000,
    );
  });

  it('gives the segment and customer of the profile the items that belong to them', async () => {
    const segment = await waitUntil(
      'tier:enterprise',
      () =>
        p.api<Measured & { allTime: Measured; series: unknown[] }>(
          '/v1/segments/tier%3Aenterprise?from=2026-01-14&to=2026-01-16',
        ),
      (r) => r.status === 200,
    );
    // Typeform, Tally and Delighted name cus_8842 by id, Formbricks by the profile's email; so does the interview.
    expect(segment.body.allTime.counts.count).toBe(5);
    expect(segment.body.allTime.counts.npsDetractors).toBe(4);
    expect(segment.body.series).toHaveLength(3);
    const customer = await p.api<{ profile: { tier: string }; allTime: Measured; latestFeedback: unknown[] }>(
      '/v1/customers/cus_8842',
    );
    expect(customer.body.profile.tier).toBe('enterprise');
    expect(customer.body.allTime.counts.count).toBe(5);
    expect(customer.body.latestFeedback.length).toBeGreaterThan(0);
    expect((await p.api('/v1/segments/tier%3Anobody')).status).toBe(404);
  });

  it('counts a redelivered response once and replaces an earlier version with a later one', async () => {
    const again = await p.post(
      '/v1/webhooks/delighted',
      fixture('delighted.json'),
      delighted(fixture('delighted.json')),
    );
    expect(again.status).toBe(202);
    const original = JSON.parse(fixture('delighted.json').toString('utf8'));
    original.event_id = 'later-version-event';
    original.event_data.score = 10;
    original.event_data.comment = 'They fixed billing, thank you!';
    original.event_data.updated_at += 600;
    const later = JSON.stringify(original);
    expect((await p.post('/v1/webhooks/delighted', later, delighted(later))).status).toBe(202);

    const after = await waitUntil(
      'the later Delighted version to replace the earlier one',
      () => overview(p),
      (o) => o.totals.counts.npsPromoters === 2,
      60_000,
    );
    expect(after.totals.counts.count).toBe(7);
    expect(after.totals.counts.npsDetractors).toBe(3);
    // Nothing else arrives late: the totals stay put.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await overview(p)).totals.counts).toEqual(after.totals.counts);
  });

  it('writes the archive and the day feeds to S3 and lists them with working download URLs', async () => {
    const archive = await waitUntil(
      'archive files',
      () => p.s3Keys('archive/enriched/dt=2026-01-15/'),
      (k) => k.length > 0,
      60_000,
    );
    expect(archive.every((key) => key.startsWith(`${p.namespace}/archive/enriched/dt=2026-01-15/`))).toBe(
      true,
    );
    const feeds = await waitUntil(
      'feed files for 2026-01-15',
      () =>
        p.api<{ files: { key: string; date: string | null; url: string; format: string }[] }>(
          '/v1/feeds?from=2026-01-15&to=2026-01-15',
        ),
      (r) => r.status === 200 && r.body.files.some((f) => f.date === '2026-01-15'),
      60_000,
    );
    const dayFile =
      feeds.body.files.find((f) => f.date === '2026-01-15' && f.format === 'ndjson') ??
      feeds.body.files.find((f) => f.date === '2026-01-15')!;
    expect(dayFile.key).toContain('/feeds/rollups/');
    const download = await fetch(dayFile.url);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(0);
  });

  it('answers the query API with problem+json, ETags and 304s as documented', async () => {
    const unauthorized = await fetch(`${p.apiUrl}/v1/overview`);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('content-type')).toMatch(/problem\+json/);
    const bad = await p.api('/v1/segments/tier%3Aenterprise?granularity=week');
    expect(bad.status).toBe(400);
    const first = await p.api('/v1/segments');
    const etag = first.headers.get('etag')!;
    const second = await fetch(`${p.apiUrl}/v1/segments`, {
      headers: { authorization: `Bearer ${p.apiKey}`, 'if-none-match': etag },
    });
    expect(second.status).toBe(304);
  });

  it('counts a Zendesk rating and a Jotform submission once each, however often they are delivered', async () => {
    const before = (await overview(p)).totals.counts;
    const zendeskBody = fixture('zendesk-csat.json');
    const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const zendeskHeaders = {
      ...json,
      'x-zendesk-webhook-signature-timestamp': timestamp,
      'x-zendesk-webhook-signature': signZendesk(
        FIXTURE_SECRETS.WEBHOOK_SECRET_ZENDESK,
        timestamp,
        zendeskBody,
      ),
    };
    const wire = fixture('jotform.multipart.txt');
    const split = wire.indexOf('\r\n\r\n');
    const jotformHeaders = {
      'content-type': wire
        .subarray(0, split)
        .toString()
        .replace(/^Content-Type:\s*/i, ''),
    };
    const jotformUrl = `/v1/webhooks/jotform/${FIXTURE_SECRETS.WEBHOOK_SECRET_JOTFORM}`;
    const answers = [];
    for (let i = 0; i < 2; i++) {
      answers.push(await p.post('/v1/webhooks/zendesk', zendeskBody, zendeskHeaders));
      answers.push(await p.post(jotformUrl, wire.subarray(split + 4), jotformHeaders));
    }
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);

    const after = await waitUntil(
      'the Zendesk rating and the Jotform submission in the overview',
      () => overview(p),
      (o) => o.totals.counts.count === before.count + 2,
      90_000,
    );
    // Zendesk "Bad" is CSAT 1 (answered, not satisfied); Jotform's mapped NPS 3 is a detractor.
    expect(after.totals.counts.csatAnswered).toBe(before.csatAnswered + 1);
    expect(after.totals.counts.csatSatisfied).toBe(before.csatSatisfied);
    expect(after.totals.counts.npsDetractors).toBe(before.npsDetractors + 1);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect((await overview(p)).totals.counts.count).toBe(before.count + 2);
  });
});
