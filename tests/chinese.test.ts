import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pipeline, startPipeline, waitUntil } from './harness/pipeline.harness.ts';

/**
 * A Chinese interview note goes through the real pipeline: ingest → enrichment (the analyzer scores
 * it as Chinese, with aspects) → aggregation → the customer's page and the `language:zh` segment.
 * Traditional script counts in the same segment (segments use the base language).
 */

interface Counts {
  count: number;
}
interface FeedbackSummary {
  kind: string;
  sentimentScore?: number;
  sentimentLabel?: string;
  aspects?: string[];
}

const json = { 'content-type': 'application/json' };
const bearer = (p: Pipeline) => ({ ...json, authorization: `Bearer ${p.apiKey}` });

describe('Chinese feedback through the pipeline', () => {
  let p: Pipeline;

  beforeAll(async () => {
    p = await startPipeline({ name: 'chinese', env: { ROLLUP_CHANGES_INTERVAL_MS: '500' } });
  });
  afterAll(async () => {
    await p?.close();
  });

  it('shows a Chinese interview note with its sentiment and aspects on the customer page and in language:zh', async () => {
    const profile = {
      id: 'cus_zh_01',
      email: 'wang.fang@example.cn',
      name: '王芳',
      tier: 'enterprise',
      region: 'apac',
    };
    expect((await p.post('/v1/customers', JSON.stringify([profile]), bearer(p))).status).toBe(202);
    await waitUntil(
      'the profile',
      () => p.api('/v1/customers/cus_zh_01'),
      (r) => r.status === 200,
      60_000,
    );

    const notes = [
      {
        id: 'int-zh-1',
        title: '季度回顾',
        notes: '客服态度很差，等了三天都没人回复。物流也太慢了，快递一个星期才到。',
      },
      { id: 'int-zh-2', title: '續約討論', notes: '售後服務很專業，問題當天就解決了，非常滿意。' },
    ];
    for (const note of notes) {
      const answer = await p.post(
        '/v1/interviews',
        JSON.stringify({ ...note, customer: { id: 'cus_zh_01' }, interviewer: 'li.csm', date: '2026-01-15' }),
        bearer(p),
      );
      expect(answer.status).toBe(202);
    }

    const customer = await waitUntil(
      'both notes on the customer page',
      () =>
        p.api<{ allTime: { counts: Counts }; latestFeedback: FeedbackSummary[] }>('/v1/customers/cus_zh_01'),
      (r) => r.status === 200 && r.body.allTime.counts.count === 2 && r.body.latestFeedback.length === 2,
      90_000,
    );
    const labels = customer.body.latestFeedback.map((f) => f.sentimentLabel).sort();
    expect(labels).toEqual(['negative', 'positive']);
    const negative = customer.body.latestFeedback.find((f) => f.sentimentLabel === 'negative')!;
    expect(negative.sentimentScore).toBeLessThan(0);
    expect(negative.aspects).toEqual(expect.arrayContaining(['service', 'delivery']));
    const positive = customer.body.latestFeedback.find((f) => f.sentimentLabel === 'positive')!;
    expect(positive.aspects).toContain('service');

    const segment = await waitUntil(
      'language:zh',
      () => p.api<{ allTime: { counts: Counts } }>('/v1/segments/language%3Azh'),
      (r) => r.status === 200 && r.body.allTime.counts.count === 2,
      60_000,
    );
    expect(segment.body.allTime.counts.count).toBe(2);
    expect((await p.api('/v1/segments/language%3Azh-hant')).status).toBe(404);
  });
});
