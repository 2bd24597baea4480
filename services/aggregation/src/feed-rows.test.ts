import { emptyAspect, emptyCounters, type RollupView } from '@vocflow/rollups';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { feedRowOf, toNdjson, toParquet } from './feed-rows.ts';

const view = (id: string, count: number): RollupView => ({
  scope: 'segment',
  id,
  granularity: 'day',
  bucketStart: '2026-11-20T00:00:00.000Z',
  counters: {
    ...emptyCounters(),
    count,
    npsPromoters: count,
    channels: { survey: count },
    aspects: { price: { ...emptyAspect(), count: 1, sum: -0.5, negative: 1 } },
  },
  derived: { nps: 100, csatPercent: null, cesMean: null, sentimentMean: null },
  updatedAt: '2026-11-20T10:00:00.000Z',
});

describe('feed rows', () => {
  it('round-trips through a Parquet reader with the same values as the NDJSON file', async () => {
    const rows = [
      feedRowOf('2026-11-20', view('tier:enterprise', 3)),
      feedRowOf('2026-11-20', view('region:emea', 1)),
    ];
    const bytes = toParquet(rows);
    const read = (await parquetReadObjects({ file: bytes.buffer as ArrayBuffer })) as Record<
      string,
      unknown
    >[];
    const normalized = read.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
    );
    expect(normalized).toEqual(
      toNdjson(rows)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    );
    expect(normalized[0]).toMatchObject({
      id: 'tier:enterprise',
      count: 3,
      nps: 100,
      csat_percent: null,
      channels: '{"survey":3}',
    });
  });
});
