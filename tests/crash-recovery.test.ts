import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_SECRETS,
  type Pipeline,
  standardWebhooksHeaders,
  startPipeline,
  waitUntil,
} from './harness/pipeline.harness.ts';

/** A worker killed mid-stream and restarted gives exact totals, nothing lost or doubled. */

const TOTAL = 400;
const BATCH = 10;

function batch(start: number): string {
  return JSON.stringify(
    Array.from({ length: BATCH }, (_, i) => {
      const n = start + i;
      return {
        id: `crash-${n}`,
        kind: 'survey_response',
        occurredAt: new Date(Date.UTC(2026, 10, 1 + (n % 20), n % 24)).toISOString(),
        customer: { id: `cus_${n % 37}` },
        // Every third item a promoter, every third a detractor: exact expected counts.
        scores: { nps: n % 3 === 0 ? 10 : n % 3 === 1 ? 2 : 8, csat: (n % 5) + 1 },
        text: n % 2 === 0 ? 'Great support and fast delivery.' : 'Too expensive and the app is slow.',
      };
    }),
  );
}

interface Counters {
  count: number;
  npsPromoters: number;
  npsPassives: number;
  npsDetractors: number;
  csatSatisfied: number;
  csatAnswered: number;
}

describe('a worker crash mid-stream', () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline({ name: 'crash', partitions: 3, env: { FEEDS_ENABLED: 'false' } });
  });
  afterAll(async () => {
    await p?.close();
  });

  for (const worker of ['aggregation', 'enrichment'] as const) {
    it(`gives exact totals when ${worker} is killed with SIGKILL and restarted`, async () => {
      // The second crash runs after the first: totals are cumulative over both streams.
      const offset = worker === 'aggregation' ? 0 : TOTAL;
      const expected = { count: offset + TOTAL, promoters: 0, passives: 0, detractors: 0, satisfied: 0 };
      for (let n = 0; n < offset + TOTAL; n++) {
        if (n % 3 === 0) expected.promoters++;
        else if (n % 3 === 1) expected.detractors++;
        else expected.passives++;
        if ((n % 5) + 1 >= 4) expected.satisfied++;
      }

      let killed = false;
      for (let start = offset; start < offset + TOTAL; start += BATCH) {
        const body = batch(start);
        const answer = await p.post('/v1/webhooks/generic', body, {
          'content-type': 'application/json',
          ...standardWebhooksHeaders(FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC, `msg_crash_${start}`, body),
        });
        expect(answer.status).toBe(202);
        if (!killed && start - offset >= TOTAL / 3) {
          killed = true;
          await p.kill(worker, 'SIGKILL');
        }
      }
      await p.start(worker);

      const final = await waitUntil(
        `all ${TOTAL} items after the ${worker} crash`,
        async () => (await p.api<{ totals: { counts: Counters } }>('/v1/overview')).body.totals.counts,
        (c) => c.count >= offset + TOTAL,
        120_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const settled = (await p.api<{ totals: { counts: Counters } }>('/v1/overview')).body.totals.counts;
      expect(settled).toEqual(final);
      expect({
        count: settled.count,
        promoters: settled.npsPromoters,
        passives: settled.npsPassives,
        detractors: settled.npsDetractors,
        satisfied: settled.csatSatisfied,
      }).toEqual(expected);
      expect(settled.csatAnswered).toBe(offset + TOTAL);
    });
  }
});
