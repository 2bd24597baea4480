import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostPerEvent } from './cost-metrics.ts';
import {
  analyzerQualityOf,
  type BenchReport,
  type CostLine,
  limits,
  renderCostTable,
  renderIdleCostTable,
  renderMarkdown,
  targetsOf,
  writeReport,
} from './report.ts';

interface Overrides {
  aggRate?: number;
  enrichRate?: number;
  ingestRatio?: number;
  e2e?: number;
  e2eBatch?: number;
  steadyCpu?: number;
  ackP99?: number;
  catchUp?: number;
  idle?: number;
  steady?: boolean;
  costs?: readonly CostLine[];
}

const costs = (fetch: number): CostPerEvent => ({
  kafkaFetch: fetch,
  kafkaProduce: 0.2,
  kafkaOffsetCommit: 0.2,
  kafkaHeartbeat: 0.004,
  kafkaOther: 0,
  redisCommands: 4.9,
  redisRoundTrips: 0.79,
  s3Calls: 0,
  timers: 6.3,
  socketWrites: 1.5,
  nextTicks: 9,
  promises: null,
});

const COSTS: CostLine[] = [100, 1_000].map((rate) => ({
  targetPerSecond: rate,
  acknowledgedPerSecond: rate,
  events: rate * 10,
  spanMs: 11_000,
  perService: { ingest: costs(0), enrichment: costs(rate === 100 ? 0.13 : 0.006) },
  kafkaByApi: {},
  redisByCommand: {},
}));

function report(o: Overrides = {}): BenchReport {
  const e2e = o.e2e ?? 20_000;
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
      ratioToBareHttp: o.ingestRatio ?? 0.9,
      cpuMicrosPerRequest: 150,
      bareHttpCpuMicrosPerRequest: 50,
      source: 'benchIngest',
    },
    enrichment: {
      eventsPerSecond: o.enrichRate ?? 25_000,
      passthroughEventsPerSecond: 80_000,
      ratioToPassthrough: 0.3,
    },
    aggregation: {
      eventsPerSecond: o.aggRate ?? 70_000,
      consumeOnlyEventsPerSecond: 300_000,
      ratioToConsumeOnly: 0.06,
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
      eventsPerSecond: e2e,
      ratioToTransport: e2e / 30_000,
      p50Ms: 100,
      p95Ms: 200,
      p99Ms: 300,
      halfLoadEventsPerSecond: e2e / 2,
      redisCommandsPerEvent: 1,
      s3ObjectsPerMinute: 2,
      ramp: [],
    },
    processes: {
      ingest: { cpuMsPerEvent: 0.2, peakRssMiB: 100 },
      aggregation: { cpuMsPerEvent: 0.2, peakRssMiB: 100 },
    },
    ...(o.steady === false
      ? {}
      : {
          steady: {
            ratePerSecond: 1_000,
            windowMs: 15_000,
            warmupMs: 5_000,
            cpuMsPerEvent: o.steadyCpu ?? 0.2,
            perService: { ingest: 0.4, enrichment: 0.3, aggregation: 0.25, api: 0.01 },
            ackP50Ms: 16,
            ackP99Ms: o.ackP99 ?? 40,
            catchUpMs: o.catchUp ?? 500,
            acknowledgedPerSecond: 1_000,
            bareHttpCpuMsPerRequest: 0.122,
            redisCpuMsPerEvent: 0.35,
            samples: [],
          },
          idle: {
            windowMs: 10_000,
            cpuPercentOfCore: o.idle ?? 1.5,
            perService: { ingest: 1.4, enrichment: 2.3, aggregation: 8, api: 1.4 },
          },
        }),
    e2eBatch: { eventsPerSecond: o.e2eBatch ?? 30_000, eventsPerRequest: 100, ramp: [] },
    costs: o.costs ?? COSTS,
    drills: [],
    notes: [],
  };
  return { ...base, targets: targetsOf(base) };
}

const target = (r: BenchReport, name: string) => r.targets.find((t) => t.name === name);

describe('bench report targets', () => {
  it('gives each target its measured value and whether it was met; a bound only where missed', () => {
    const met = report();
    expect(met.targets.every((t) => t.met === true)).toBe(true);
    expect(met.targets.some((t) => t.bound !== undefined)).toBe(false);
    expect(limits(met)).toEqual(['none: every measured target was met']);
    const missed = report({ steadyCpu: 0.957, ackP99: 191, catchUp: 2_184, idle: 13.1 });
    expect(target(missed, 'steady: CPU per event, 4 services')).toMatchObject({ actual: 0.957, met: false });
    expect(target(missed, 'steady: webhook ack p99')).toMatchObject({ actual: 191, met: false });
    expect(target(missed, 'steady: rollups caught up after the last ack')).toMatchObject({
      actual: 2_184,
      met: false,
    });
    expect(target(missed, 'idle: CPU of the 4 services')).toMatchObject({ actual: 13.1, met: false });
    expect(missed.targets.filter((t) => t.met === false).every((t) => typeof t.bound === 'string')).toBe(
      true,
    );
    // The CPU bound names the HTTP floor measured in the same run, and the report shows it.
    expect(target(missed, 'steady: CPU per event, 4 services')?.bound).toContain(
      'spends 0.122 ms per request',
    );
    expect(renderMarkdown(missed)).toContain('spends 0.122 ms of CPU per request');
    expect(renderMarkdown(missed)).toContain('spent 0.35 ms per event over the window');
  });

  it('sets the throughput thresholds of the issue: 6000 single, 25000 batched, drains 20000 and 60000', () => {
    const r = report({ e2e: 5_999, e2eBatch: 24_999, enrichRate: 19_999, aggRate: 59_999 });
    for (const name of [
      'e2e throughput (1 event per request)',
      'e2e throughput (100 events per request)',
      'enrichment drain',
      'aggregation drain',
    ])
      expect(target(r, name)?.met).toBe(false);
    const ok = report({ e2e: 6_000, e2eBatch: 25_000, enrichRate: 20_000, aggRate: 60_000 });
    expect(ok.targets.filter((t) => t.met === false).map((t) => t.name)).toEqual([
      'e2e throughput vs transport',
    ]);
  });

  it('no longer holds aggregation to the consume-only ratio, but still reports the figure', () => {
    const r = report();
    expect(r.targets.some((t) => t.name.includes('consume-only'))).toBe(false);
    expect(renderMarkdown(r)).toContain('consume-only 300000 ev/s | 0.06 |');
  });

  it('leaves a section that did not run as not measured, never as missed', () => {
    const r = report({ steady: false });
    expect(target(r, 'steady: CPU per event, 4 services')).toMatchObject({ actual: null, met: null });
    expect(target(r, 'idle: CPU of the 4 services')?.met).toBeNull();
    expect(renderMarkdown(r)).not.toContain('## Steady load');
  });
});

describe('bench report limits', () => {
  it('explains each missed target with the run’s own figures', () => {
    const r = report({ steadyCpu: 0.957, idle: 13.1, enrichRate: 9_000, aggRate: 18_000, e2e: 4_000 });
    const lines = limits(r);
    const line = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? '';
    expect(line('steady: CPU per event')).toContain('ingest 0.4 ms, enrichment 0.3 ms');
    // The fixed costs at the steady rate back the CPU figure.
    expect(line('steady: CPU per event')).toContain(
      'per event at 1000/s: ingest 0.4 Kafka requests, 0.79 Redis round trips, 6.3 timers',
    );
    expect(line('idle:')).toContain('aggregation 8 %');
    expect(line('enrichment drain')).toContain('passthrough');
    expect(line('aggregation drain')).toContain('690-byte');
    expect(line('e2e throughput (1 event per request)')).toContain('0.4 ms of CPU per event');
    // The two e2e throughput targets share one bound: said once.
    expect(lines.filter((l) => l.includes('0.4 ms of CPU per event'))).toHaveLength(1);
    expect(renderMarkdown(r)).toContain('## What limits the missed targets');
    const tail = report({ e2e: 20_000 });
    const withTail = { ...tail, e2e: { ...tail.e2e, p99Ms: 900 } };
    const tailLines = limits({ ...withTail, targets: targetsOf(withTail) });
    expect(tailLines).toHaveLength(1);
    expect(tailLines[0]).toContain('at 10000 ev/s the services alone keep 200 % of the 2 cores busy');
  });

  it('names what bounds a missed Chinese accuracy target and shows the recorded analyser figures', () => {
    const met = report();
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

describe('bench report sections', () => {
  it('renders the steady and idle figures per service', () => {
    const md = renderMarkdown(report({ steadyCpu: 0.957 }));
    expect(md).toContain('| CPU ms / event | 0.957 | 0.4 | 0.3 | 0.25 | 0.01 |');
    expect(md).toContain('| idle CPU, % of a core | 1.5 | 1.4 | 2.3 | 8 | 1.4 |');
    expect(md).toContain('p99 40 ms; rollups caught up 500 ms after the last ack');
  });

  it('renders the fixed-cost table: a row per service and rate, per event', () => {
    const table = renderCostTable(COSTS);
    expect(table[0]).toContain('| service | rate (acked/s) | Kafka Fetch | Kafka Produce |');
    expect(table).toHaveLength(2 + 4);
    expect(table[2]).toBe(
      '| ingest | 100 (100) | 0 | 0.2 | 0.2 | 0.004 | 0 | 4.9 | 0.79 | 0 | 6.3 | 1.5 | 9 |',
    );
    expect(table[5]).toContain('| enrichment | 1000 (1000) | 0.006 |');
    expect(renderMarkdown(report())).toContain('## Fixed costs per event');
    expect(renderCostTable([])).toEqual([]);
  });

  it('renders the counters with no traffic per second, and names them in the idle bound', () => {
    expect(renderIdleCostTable({ aggregation: costs(1) })[2]).toBe(
      '| aggregation | 1 | 0.2 | 0.2 | 0.004 | 0 | 4.9 | 0.79 | 0 | 6.3 | 1.5 | 9 |',
    );
    const quiet = report({ idle: 13.1 });
    const withIdle = {
      ...quiet,
      idleCosts: { windowMs: 10_000, perSecond: { aggregation: costs(1) }, kafkaByApi: {} },
    };
    const r = { ...withIdle, targets: targetsOf(withIdle) };
    expect(target(r, 'idle: CPU of the 4 services')?.bound).toContain(
      'per second with no traffic: aggregation 1.4 Kafka requests, 4.9 Redis commands, 6.3 timers',
    );
    expect(renderMarkdown(r)).toContain('With no traffic (10 s), per second:');
  });
});

describe('writeReport', () => {
  it('creates the output directory when it does not exist', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bench-report-')), 'new', 'dir');
    const written = writeReport(dir, report());
    expect(existsSync(written.json)).toBe(true);
    expect(existsSync(written.markdown)).toBe(true);
  });
});
