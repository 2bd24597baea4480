import { describe, expect, it } from 'vitest';
import { FEEDS_ROOT, feedDayOf, feedKeyBase, MANIFEST_KEY } from './feeds.layout.ts';

describe('feeds layout', () => {
  it('puts each scope and day under its own dt= partition, and the manifest beside them', () => {
    expect(feedKeyBase('segment', '2026-11-20')).toBe('feeds/rollups/segment/dt=2026-11-20/rollups');
    expect(MANIFEST_KEY).toBe(`${FEEDS_ROOT}/manifest.json`);
  });

  it('reads the day back from a key, with or without the deployment prefix, and none from the manifest', () => {
    expect(feedDayOf(`${feedKeyBase('overall', '2026-01-02')}.parquet`)).toBe('2026-01-02');
    expect(feedDayOf(`tenant-a/${feedKeyBase('customer', '2025-12-31')}.ndjson`)).toBe('2025-12-31');
    expect(feedDayOf(`tenant-a/${MANIFEST_KEY}`)).toBeNull();
  });
});
