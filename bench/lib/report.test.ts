import { describe, expect, it } from 'vitest';
import { analyzerQualityOf, type BenchReport, limits, renderMarkdown, targetsOf } from './report.ts';

function report(overrides: { aggRatio: number; ingestRatio: number; e2e: number }): BenchReport {
  const base: Omit<BenchReport, 'targets'> = {
    generatedAt: '2026-11-22T00:00:00.000Z',
    mode: 'quick',
    runs: 1,
    machine: {
      hostname: 'h',
      os: 'Linux',
      cpuModel: 'cpu',
      cores: 2,
      memoryGiB: 8,
      loadAverageAtStart: [0, 0, 0],
      versions: {},
      gitCommit: 'abc',
    },
    settings: {},
    transport: { eventsPerSecond: 30_000, samples: [] },
    bareHttp: { requestsPerSecond: 20_000, samples: [] },
    ingest: {
      requestsPerSecond: 8_000,
      ratioToBareHttp: overrides.ingestRatio,
      cpuMicrosPerRequest: 150,
      bareHttpCpuMicrosPerRequest: 50,
      source: 'benchIngest',
    },
    enrichment: { eventsPerSecond: 9_000, passthroughEventsPerSecond: 80_000, ratioToPassthrough: 0.11 },
    aggregation: {
      eventsPerSecond: 18_000,
      consumeOnlyEventsPerSecond: 300_000,
      ratioToConsumeOnly: overrides.aggRatio,
      redisCommandsPerEvent: 0.002,
      redisWritesPerEvent: 1.3,
      parseOnlyEventsPerSecond: 120_000,
      parseOnlyRatioToConsumeOnly: 0.4,
      bytesPerEvent: 690,
      redisCpuMicrosPerEvent: 16,
      source: 'benchAggregation',
    },
    analyzer: {
      textsPerSecondPerCore: 300_000,
      chineseTextsPerSecondPerCore: 150_000,
      quality: {
        analyzerVersion: '1.1.0+test',
        marcZhSignAccuracy: 0.9,
        marcZhMacroF1: 0.63,
        semevalEnMacroF1: 0.6,
        weightsBytes: 6_000_000,
      },
      source: 'benchAnalyzer',
    },
    e2e: {
      eventsPerSecond: overrides.e2e,
      ratioToTransport: overrides.e2e / 30_000,
      p50Ms: 100,
      p95Ms: 200,
      p99Ms: 300,
      halfLoadEventsPerSecond: overrides.e2e / 2,
      redisCommandsPerEvent: 1,
      s3ObjectsPerMinute: 2,
      ramp: [],
    },
    processes: {
      ingest: { cpuMsPerEvent: 0.2, peakRssMiB: 100 },
      aggregation: { cpuMsPerEvent: 0.2, peakRssMiB: 100 },
    },
    drills: [],
    notes: [],
  };
  return { ...base, targets: targetsOf(base) };
}

describe('bench report limits', () => {
  it('explains each missed target with the run’s own figures', () => {
    const lines = limits(report({ aggRatio: 0.06, ingestRatio: 0.4, e2e: 4_000 }));
    expect(lines).toHaveLength(3);
    const slow = report({ aggRatio: 0.8, ingestRatio: 0.9, e2e: 20_000 });
    const withTail = { ...slow, e2e: { ...slow.e2e, p99Ms: 900 } };
    const tail = limits({ ...withTail, targets: targetsOf(withTail) });
    expect(tail).toHaveLength(1);
    expect(tail[0]).toContain('at 10000 ev/s the services alone keep 200 % of the 2 cores busy');
    expect(lines[0]).toContain('0.4 of consume-only');
    expect(lines[0]).toContain('690-byte');
    expect(lines[1]).toContain('150 µs');
    expect(lines[2]).toContain('0.4 ms of CPU per event');
    expect(lines[2]).toContain('5000 ev/s');
    expect(renderMarkdown(report({ aggRatio: 0.06, ingestRatio: 0.4, e2e: 4_000 }))).toContain(
      '## What limits the missed targets',
    );
  });

  it('says so when every target was met', () => {
    expect(limits(report({ aggRatio: 0.8, ingestRatio: 0.9, e2e: 20_000 }))).toEqual([
      'none: every measured target was met',
    ]);
  });

  it('names what bounds a missed Chinese accuracy target and shows the recorded analyser figures', () => {
    const met = report({ aggRatio: 0.8, ingestRatio: 0.9, e2e: 20_000 });
    const quality = analyzerQualityOf({
      analyzerVersion: '1.1.0+x',
      weightsBytes: 6_609_832,
      marcZhDev: { signAccuracy: 0.8765, macroF1: 0.6205 },
      semevalEnDev: { macroF1: 0.5609 },
    });
    expect(quality).toEqual({
      analyzerVersion: '1.1.0+x',
      marcZhSignAccuracy: 0.8765,
      marcZhMacroF1: 0.6205,
      semevalEnMacroF1: 0.5609,
      weightsBytes: 6_609_832,
    });
    const missed = { ...met, analyzer: { ...met.analyzer, ...(quality ? { quality } : {}) } };
    const withTargets = { ...missed, targets: targetsOf(missed) };
    expect(withTargets.targets.find((t) => t.name.startsWith('analyzer, MARC-zh dev binary'))?.met).toBe(
      false,
    );
    expect(withTargets.targets.find((t) => t.name.startsWith('analyzer, MARC-zh dev macro'))?.met).toBe(true);
    const lines = limits(withTargets);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('SnowNLP');
    expect(renderMarkdown(withTargets)).toContain('MARC-zh dev: binary 0.8765, macro-F1 0.6205');
    expect(analyzerQualityOf(null)).toBeUndefined();
  });
});
