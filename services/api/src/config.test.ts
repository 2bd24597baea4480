import { DEFAULT_SHARDS } from '@vocflow/rollups';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const base = { QUERY_API_KEYS: 'query-key-0123456789abcdef' };

describe('api configuration', () => {
  it("reads the rollups over aggregation's shard count, so both agree on the keys", () => {
    expect(loadConfig({ ...base }).rollupShards).toBe(DEFAULT_SHARDS);
    expect(loadConfig({ ...base, ROLLUP_SHARDS: '24' }).rollupShards).toBe(24);
  });

  it('refuses a shard count out of range', () => {
    expect(() => loadConfig({ ...base, ROLLUP_SHARDS: '0' })).toThrow(/ROLLUP_SHARDS/);
  });
});
