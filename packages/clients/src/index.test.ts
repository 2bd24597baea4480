import type { RedisConfig } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { redisPlan } from './index.ts';

const base: RedisConfig = {
  url: 'redis://127.0.0.1:6379',
  keyPrefix: 'vf',
  cluster: false,
  commandTimeoutMs: 2_500,
};

describe('redisPlan', () => {
  it('sets the command timeout so a hung server fails a command instead of blocking it', () => {
    const plan = redisPlan(base);
    expect(plan.kind).toBe('single');
    expect(plan.options).toMatchObject({ commandTimeout: 2_500, enableOfflineQueue: false });
  });

  it('keeps TLS, credentials and the command timeout on every node of a Cluster for rediss://', () => {
    const plan = redisPlan({ ...base, url: 'rediss://app:p%40ss@cache.example:6380', cluster: true });
    if (plan.kind !== 'cluster') throw new Error('expected a cluster plan');
    expect(plan.nodes).toEqual([{ host: 'cache.example', port: 6380 }]);
    expect(plan.options.redisOptions).toMatchObject({
      tls: { servername: 'cache.example' },
      username: 'app',
      password: 'p@ss',
      commandTimeout: 2_500,
    });
  });

  it('uses no TLS on a Cluster reached by redis://', () => {
    const plan = redisPlan({ ...base, cluster: true });
    if (plan.kind !== 'cluster') throw new Error('expected a cluster plan');
    expect(plan.options.redisOptions?.tls).toBeUndefined();
  });

  it('sends each command as it is issued, single server and Cluster (no auto-pipelining)', () => {
    const single = redisPlan(base);
    const cluster = redisPlan({ ...base, cluster: true });
    for (const options of [single.options, cluster.options])
      expect(options).toMatchObject({ enableAutoPipelining: false });
  });
});
