import { ConfigError } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('aggregation config', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.opsPort).toBe(8083);
    expect(config.rollups.shards).toBe(12);
    expect(config.changes.scopes).toEqual(['overall', 'segment']);
    expect(config.redis.keyPrefix).toBe('vf');
  });
  it('reports every invalid variable at once', () => {
    try {
      loadConfig({ ROLLUP_SHARDS: '0', ROLLUP_CHANGES_SCOPES: 'overall,planet', ARCHIVE_ENABLED: 'maybe' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((p) => p.variable.split('.')[0]).sort();
      expect(variables).toEqual(['ARCHIVE_ENABLED', 'ROLLUP_CHANGES_SCOPES', 'ROLLUP_SHARDS']);
    }
  });
});
