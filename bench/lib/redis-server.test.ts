import { describe, expect, it } from 'vitest';
import { commandDelta, parseCommandStats } from './redis-server.ts';

describe('redis command statistics', () => {
  it('parses calls per command from INFO commandstats', () => {
    const info =
      '# Commandstats\r\ncmdstat_hincrby:calls=10,usec=20,usec_per_call=2.00\r\ncmdstat_get:calls=3,usec=1\r\n';
    expect(parseCommandStats(info)).toEqual({ hincrby: 10, get: 3 });
  });

  it('counts writes apart from reads between two snapshots', () => {
    expect(commandDelta({ hincrby: 10, get: 3 }, { hincrby: 25, get: 8, evalsha: 2 })).toEqual({
      all: 22,
      writes: 17,
    });
  });
});
