import { describe, expect, it } from 'vitest';
import { areaOf, type CpuProfile, summarizeProfile } from './cpu-profile.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

describe('CPU profile summary', () => {
  it('names where code lives: a package, node built-ins, the project, V8 pseudo-frames', () => {
    expect(areaOf('file:///w/node_modules/kafkajs/src/network/connection.js', 'send')).toBe('kafkajs');
    expect(areaOf('file:///w/node_modules/@aws-sdk/client-s3/dist-cjs/index.js', 'x')).toBe(
      '@aws-sdk/client-s3',
    );
    expect(areaOf('node:internal/streams/writable', 'write')).toBe('node');
    expect(areaOf('file:///w/services/enrichment/src/pipeline.ts', 'run')).toBe('vocflow enrichment');
    expect(areaOf('file:///w/packages/kafka/src/consumer.ts', 'run')).toBe('vocflow @vocflow/kafka');
    expect(areaOf('', '(garbage collector)')).toBe('(garbage collector)');
  });

  it('sums self time per function from the samples, leaving idle out of the busy time', () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('encode', 'file:///w/node_modules/kafkajs/src/x.js', 9) },
        { id: 4, callFrame: frame('encode', 'file:///w/node_modules/kafkajs/src/x.js', 9) },
        { id: 5, callFrame: frame('(garbage collector)') },
      ],
      startTime: 0,
      endTime: 10_000,
      // Each sample stands for the time until the next one.
      samples: [2, 3, 4, 5, 2, 3],
      timeDeltas: [0, 5_000, 1_000, 1_000, 1_000, 1_000],
    };
    const summary = summarizeProfile(profile);
    expect(summary.durationMs).toBe(10);
    expect(summary.busyMs).toBe(3);
    expect(summary.top[0]).toEqual({
      name: 'encode (kafkajs/src/x.js:10)',
      area: 'kafkajs',
      selfMs: 2,
      share: 2 / 3,
    });
    expect(summary.top[1]?.name).toBe('(garbage collector)');
    expect(summary.byArea.map((a) => a.area)).toEqual(['kafkajs', '(garbage collector)']);
  });
});
