/**
 * `vocflow bench [--quick]`: measures baselines and the pipeline in the same run, interleaved, and
 * writes `bench/report.json` and `bench/REPORT.md`.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createS3 } from '@vocflow/clients';
import { localSettings, settingsFromEnv } from '@vocflow/stack';
import { machineInfo } from './lib/machine.ts';
import { benchKafka, deleteNamespaceTopics, missingServices, newNamespace, WORKERS } from './lib/pipeline.ts';
import { PROJECT_ROOT } from './lib/processes.ts';
import { analyzerQualityOf, type BenchReport, type DrillLine, targetsOf, writeReport } from './lib/report.ts';
import { countObjects } from './lib/s3-objects.ts';
import { stackEndpoints } from './lib/stack-endpoints.ts';
import { median, ratio, round } from './lib/stats.ts';
import { EXTERNAL_BENCHES, type ExternalOutcome, pick, runExternal } from './stages/external.ts';
import { benchTransport } from './stages/kafka-chain.ts';
import {
  benchBareHttp,
  benchDrains,
  benchEndToEnd,
  benchIngestHarness,
  type DrainFigures,
  type EndToEndFigures,
} from './stages/pipeline-stages.ts';
import {
  type BatchFigures,
  benchCosts,
  benchEndToEndBatch,
  benchProfiles,
  benchSteady,
  type CostStep,
  type IdleFigures,
  type SteadyFigures,
} from './stages/steady.ts';

/** The parts of a run; `--only` picks some (the report keeps `null` for the others). */
export const BENCH_SECTIONS = [
  'transport',
  'http',
  'ingest',
  'drains',
  'e2e',
  'steady',
  'batch',
  'costs',
] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface BenchOptions {
  readonly quick: boolean;
  readonly runs?: number;
  /** Where report.json and REPORT.md go; default `bench/`. */
  readonly outDir?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Drill lines to include (from `vocflow drill`). */
  readonly drills?: readonly DrillLine[];
  readonly log?: (line: string) => void;
  /** Only these sections (default: all). */
  readonly sections?: readonly BenchSection[];
  /** Also profile each service at the steady rate; the `.cpuprofile` files go under `.vocflow/profiles/`. */
  readonly profile?: boolean;
}

export function benchSettings(quick: boolean) {
  return quick
    ? {
        runs: 2,
        transportEvents: 20_000,
        httpMs: 2_000,
        drainEvents: 30_000,
        rates: [1_000, 2_000, 4_000, 8_000, 16_000],
        stepMs: 5_000,
        latencyMs: 5_000,
        rampWarmupMs: 3_000,
        minCatchUpMs: 2_500,
        // The same rate as the full run and a warm-up excluded from the figures: only the load window is
        // shorter. The idle window is as long as the full run's: a major collection ~100 s after the
        // services start, once per process, falls into a 20 s window more often than into a 10 s one.
        steady: { ratePerSecond: 1_000, warmupMs: 5_000, windowMs: 15_000, settleMs: 3_000, idleMs: 20_000 },
        costs: { rates: [100, 1_000, 5_000], stepMs: 5_000, warmupMs: 3_000, idleMs: 10_000 },
        batch: {
          rates: [2_000, 4_000, 8_000, 16_000, 32_000],
          stepMs: 5_000,
          warmupMs: 3_000,
          eventsPerRequest: 100,
          minCatchUpMs: 2_500,
        },
        profile: { ratePerSecond: 1_000, warmupMs: 5_000, windowMs: 10_000 },
      }
    : {
        runs: 3,
        transportEvents: 200_000,
        httpMs: 10_000,
        drainEvents: 100_000,
        rates: [1_000, 2_000, 4_000, 6_000, 8_000, 12_000, 16_000, 24_000, 32_000],
        stepMs: 15_000,
        latencyMs: 30_000,
        rampWarmupMs: 5_000,
        minCatchUpMs: 2_500,
        steady: { ratePerSecond: 1_000, warmupMs: 5_000, windowMs: 30_000, settleMs: 3_000, idleMs: 20_000 },
        costs: { rates: [100, 1_000, 5_000], stepMs: 10_000, warmupMs: 5_000, idleMs: 10_000 },
        batch: {
          rates: [2_000, 4_000, 6_000, 8_000, 12_000, 16_000, 20_000, 25_000, 30_000, 40_000],
          stepMs: 15_000,
          warmupMs: 5_000,
          eventsPerRequest: 100,
          minCatchUpMs: 2_500,
        },
        profile: { ratePerSecond: 1_000, warmupMs: 5_000, windowMs: 20_000 },
      };
}

async function attempt<T>(label: string, notes: string[], run: () => Promise<T>): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    notes.push(`${label}: not measured (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const settings = benchSettings(options.quick);
  const runs = options.runs ?? settings.runs;
  const stack = stackEndpoints(env);
  const workDir = join(PROJECT_ROOT, '.vocflow', 'bench', new Date().toISOString().replace(/[:.]/g, '-'));
  mkdirSync(workDir, { recursive: true });
  const notes: string[] = [];
  const machine = machineInfo();
  const kafka = benchKafka(stack.kafkaBrokers);
  const s3 = createS3({ ...stack.s3, forcePathStyle: true, prefix: '' });
  const missing = missingServices();
  if (missing.length > 0) notes.push(`services without an entry point yet: ${missing.join(', ')}`);

  const transport: number[] = [];
  const bare: number[] = [];
  const ingest: number[] = [];
  const drains: DrainFigures[] = [];
  const e2e: EndToEndFigures[] = [];
  const external: Record<string, ExternalOutcome[]> = { ingest: [], aggregation: [], analyzer: [] };
  const steadyRuns: { steady: SteadyFigures; idle: IdleFigures }[] = [];
  const batches: BatchFigures[] = [];
  const runNotes = new Set<string>();
  const sections = new Set<BenchSection>(options.sections ?? BENCH_SECTIONS);
  const on = (section: BenchSection) => sections.has(section);

  for (let run = 1; run <= runs; run += 1) {
    const rn: string[] = [];
    if (on('transport')) {
      log(`run ${run}/${runs}: transport ceiling`);
      const ns = newNamespace('transport');
      const t = await attempt('transport', rn, () =>
        benchTransport(kafka, ns.topicPrefix, settings.transportEvents, ns.id),
      );
      await deleteNamespaceTopics(kafka, ns.topicPrefix);
      if (t) transport.push(t.eventsPerSecond);
    }
    if (on('http')) {
      log(`run ${run}/${runs}: bare HTTP ceiling`);
      bare.push(await benchBareHttp(settings.httpMs));
    }
    if (on('steady')) {
      log(`run ${run}/${runs}: steady ${settings.steady.ratePerSecond}/s, then idle`);
      const st = await attempt('steady', rn, () => benchSteady(stack, workDir, settings.steady));
      if (st) steadyRuns.push(st);
    }
    if (on('ingest')) log(`run ${run}/${runs}: ingest`);
    const context = {
      quick: options.quick,
      durationMs: settings.httpMs,
      stack,
      workDir,
      env,
      // The arguments the services' own bench functions take.
      kafkaBrokers: stack.kafkaBrokers,
      redisUrl: (settingsFromEnv(env) ?? localSettings()).redisUrl,
      seconds: Math.max(1, Math.round(settings.httpMs / 1000)),
      connections: 32,
      events: settings.drainEvents,
    };
    // The external benches: ingest and analyzer with the ingest section, aggregation with the drains.
    for (const [key, bench] of Object.entries(EXTERNAL_BENCHES)) {
      if (on(key === 'aggregation' ? 'drains' : 'ingest'))
        external[key]!.push(await runExternal(bench, context));
    }
    if (on('ingest')) {
      const i = await attempt('ingest (harness)', rn, () =>
        benchIngestHarness(stack, workDir, settings.httpMs),
      );
      if (i !== undefined) ingest.push(i);
    }
    if (on('drains')) {
      log(`run ${run}/${runs}: enrichment and aggregation drains`);
      const d = await attempt('stage drains', rn, () => benchDrains(stack, workDir, settings.drainEvents));
      if (d) drains.push(d);
    }
    if (on('e2e')) {
      log(`run ${run}/${runs}: end-to-end ramp`);
      const e = await attempt('end to end', rn, () =>
        benchEndToEnd(stack, workDir, {
          rates: settings.rates,
          stepMs: settings.stepMs,
          latencyMs: settings.latencyMs,
          warmupMs: settings.rampWarmupMs,
          minCatchUpMs: settings.minCatchUpMs,
          countS3: (prefix) => countObjects(s3, stack.s3.bucket, prefix),
        }),
      );
      if (e) e2e.push(e);
    }
    if (on('batch')) {
      log(`run ${run}/${runs}: end-to-end ramp, ${settings.batch.eventsPerRequest} events per request`);
      const b = await attempt('end to end, batches', rn, () =>
        benchEndToEndBatch(stack, workDir, settings.batch),
      );
      if (b) batches.push(b);
    }
    for (const n of rn) runNotes.add(n);
  }
  let costs: Awaited<ReturnType<typeof benchCosts>> | undefined;
  if (on('costs')) {
    log(`fixed costs per event at ${settings.costs.rates.join(', ')} events/s`);
    const rn: string[] = [];
    costs = await attempt('fixed costs', rn, () => benchCosts(stack, workDir, settings.costs));
    for (const n of rn) runNotes.add(n);
  }
  let profiles: Awaited<ReturnType<typeof benchProfiles>> | undefined;
  if (options.profile) {
    const outDir = join(PROJECT_ROOT, '.vocflow', 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
    log(`CPU profiles at ${settings.profile.ratePerSecond}/s → ${outDir}`);
    const rn: string[] = [];
    profiles = await attempt('profiles', rn, () =>
      benchProfiles(stack, workDir, { ...settings.profile, outDir }),
    );
    for (const n of rn) runNotes.add(n);
  }
  notes.push(...runNotes);

  const figure = (key: keyof typeof EXTERNAL_BENCHES, ...names: string[]) => {
    const outcomes = external[key]!;
    const values = outcomes.flatMap((o) => (o.ok ? [pick(o.figures, ...names) ?? Number.NaN] : []));
    const failed = outcomes.find((o): o is { ok: false; reason: string } => !o.ok);
    if (failed) notes.push(`${EXTERNAL_BENCHES[key].exportName}: ${failed.reason}`);
    const m = median(values);
    return Number.isFinite(m) ? m : null;
  };
  const num = (v: number) => (Number.isFinite(v) ? v : null);

  const transportRate = num(median(transport));
  const bareRate = num(median(bare));
  const externalIngest = figure('ingest', 'requestsPerSecond', 'eventsPerSecond');
  const ingestRate = externalIngest ?? num(median(ingest));
  const externalAgg = figure('aggregation', 'eventsPerSecond');
  const externalAggRatio = figure('aggregation', 'ratioToConsumeOnly');
  const externalRedis = figure('aggregation', 'redisCommandsPerEvent');
  const analyzer = figure('analyzer', 'textsPerSecondPerCore', 'textsPerSecond');
  const dm = (pickField: (d: DrainFigures) => number) => num(median(drains.map(pickField)));
  const em = (pickField: (e: EndToEndFigures) => number | null) =>
    num(median(e2e.map((e) => pickField(e) ?? Number.NaN)));
  const aggRate = externalAgg ?? dm((d) => d.aggregationEventsPerSecond);
  const consumeOnly =
    figure('aggregation', 'consumeOnlyEventsPerSecond') ?? dm((d) => d.consumeOnlyEventsPerSecond);
  const aggRedisCpuSeconds = figure('aggregation', 'redisCpuSeconds');
  const aggSeconds = figure('aggregation', 'aggregationSeconds');
  const e2eRate = em((e) => e.eventsPerSecond);
  const processes: Record<string, { cpuMsPerEvent: number | null; peakRssMiB: number | null }> = {};
  for (const name of new Set(e2e.flatMap((e) => Object.keys(e.cpuMsPerEvent)))) {
    processes[name] = {
      cpuMsPerEvent: round(em((e) => e.cpuMsPerEvent[name] ?? null)),
      peakRssMiB: em((e) => e.peakRssMiB[name] ?? null),
    };
  }
  if (e2e.length > 0 && e2e.some((e) => e.ramp.every((s) => s.sustained))) {
    notes.push('the highest ramp step was still sustained: the ceiling is above the ramp (raise the rates)');
  }
  if (batches.some((b) => b.ramp[0]?.sustained === false)) {
    notes.push(
      `the first batch ramp step (${settings.batch.rates[0]} events/s) was not sustained: e2eBatch is 0, the ceiling is below it`,
    );
  }
  if (batches.some((b) => b.ramp.every((s) => s.sustained))) {
    notes.push(
      'the highest batch ramp step was still sustained: the ceiling is above the ramp (raise the rates)',
    );
  }
  const sm = (pickField: (s: { steady: SteadyFigures; idle: IdleFigures }) => number | null) =>
    round(num(median(steadyRuns.map((s) => pickField(s) ?? Number.NaN))));
  const perService = (
    pickField: (s: { steady: SteadyFigures; idle: IdleFigures }) => Record<string, number>,
  ) => Object.fromEntries(WORKERS.map((name) => [name, sm((s) => pickField(s)[name] ?? null)]));

  const partial: Omit<BenchReport, 'targets'> = {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    runs,
    machine,
    settings: { ...settings, runs, kafkaBrokers: stack.kafkaBrokers, s3Endpoint: stack.s3.endpoint, workDir },
    transport: { eventsPerSecond: round(transportRate), samples: transport.map((v) => round(v)) },
    bareHttp: { requestsPerSecond: round(bareRate), samples: bare.map((v) => round(v)) },
    ingest: {
      requestsPerSecond: round(ingestRate),
      // benchIngest measures its own bare handler under the same load generator: that ratio is the fair one.
      ratioToBareHttp: round(figure('ingest', 'ratioToBareHttp') ?? ratio(ingestRate, bareRate)),
      bareHttpRequestsPerSecond: round(figure('ingest', 'bareHttpRequestsPerSecond')),
      cpuMicrosPerRequest: round(figure('ingest', 'cpuMicrosPerRequest')),
      bareHttpCpuMicrosPerRequest: round(figure('ingest', 'bareHttpCpuMicrosPerRequest')),
      source: externalIngest !== null ? 'benchIngest' : 'harness: ingest process, saturating load',
    },
    enrichment: {
      eventsPerSecond: round(dm((d) => d.enrichmentEventsPerSecond)),
      passthroughEventsPerSecond: round(dm((d) => d.passthroughEventsPerSecond)),
      ratioToPassthrough: round(
        ratio(
          dm((d) => d.enrichmentEventsPerSecond),
          dm((d) => d.passthroughEventsPerSecond),
        ),
      ),
    },
    aggregation: {
      eventsPerSecond: round(aggRate),
      consumeOnlyEventsPerSecond: round(consumeOnly),
      ratioToConsumeOnly: round(externalAggRatio ?? ratio(aggRate, consumeOnly)),
      redisCommandsPerEvent: round(externalRedis ?? dm((d) => d.redisCommandsPerEvent), 4),
      redisWritesPerEvent: round(
        figure('aggregation', 'serverCommandsPerEvent') ?? dm((d) => d.redisWritesPerEvent),
        4,
      ),
      parseOnlyEventsPerSecond: round(figure('aggregation', 'parseOnlyEventsPerSecond')),
      parseOnlyRatioToConsumeOnly: round(figure('aggregation', 'parseOnlyRatioToConsumeOnly')),
      bytesPerEvent: round(figure('aggregation', 'bytesPerEvent')),
      redisCpuMicrosPerEvent:
        aggRedisCpuSeconds !== null && aggSeconds !== null && externalAgg !== null
          ? round((aggRedisCpuSeconds * 1e6) / (externalAgg * aggSeconds))
          : null,
      source: externalAgg !== null ? 'benchAggregation' : 'harness: aggregation process draining enriched',
    },
    analyzer: {
      textsPerSecondPerCore: round(analyzer),
      chineseTextsPerSecondPerCore: round(figure('analyzer', 'chineseTextsPerSecondPerCore')),
      quality: recordedAnalyzerQuality(),
      source: analyzer !== null ? 'benchAnalyzer' : 'missing',
    },
    e2e: {
      eventsPerSecond: round(e2eRate),
      ratioToTransport: round(ratio(e2eRate, transportRate)),
      p50Ms: round(em((e) => e.p50Ms)),
      p95Ms: round(em((e) => e.p95Ms)),
      p99Ms: round(em((e) => e.p99Ms)),
      halfLoadEventsPerSecond: round(em((e) => e.halfLoadPerSecond)),
      redisCommandsPerEvent: round(
        em((e) => e.redisCommandsPerEvent),
        4,
      ),
      s3ObjectsPerMinute: round(em((e) => e.s3ObjectsPerMinute)),
      ramp: e2e.map((e) => e.ramp),
    },
    processes,
    steady: {
      ratePerSecond: settings.steady.ratePerSecond,
      windowMs: settings.steady.windowMs,
      warmupMs: settings.steady.warmupMs,
      cpuMsPerEvent: sm((s) => s.steady.cpuMsPerEvent),
      perService: perService((s) => s.steady.perService),
      ackP50Ms: sm((s) => s.steady.ackP50Ms),
      ackP99Ms: sm((s) => s.steady.ackP99Ms),
      catchUpMs: sm((s) => s.steady.catchUpMs),
      acknowledgedPerSecond: sm((s) => s.steady.acknowledgedPerSecond),
      bareHttpCpuMsPerRequest: sm((s) => s.steady.bareHttpCpuMsPerRequest),
      redisCpuMsPerEvent: sm((s) => s.steady.redisCpuMsPerEvent),
      samples: steadyRuns.map((s) => ({
        cpuMsPerEvent: round(s.steady.cpuMsPerEvent),
        ackP50Ms: round(s.steady.ackP50Ms),
        ackP99Ms: round(s.steady.ackP99Ms),
        catchUpMs: round(s.steady.catchUpMs),
        idleCpuPercentOfCore: round(s.idle.cpuPercentOfCore),
        errors: s.steady.errors,
      })),
    },
    idle: {
      windowMs: settings.steady.idleMs,
      cpuPercentOfCore: sm((s) => s.idle.cpuPercentOfCore),
      perService: perService((s) => s.idle.perService),
    },
    e2eBatch: {
      eventsPerSecond: round(num(median(batches.map((b) => b.eventsPerSecond)))),
      eventsPerRequest: settings.batch.eventsPerRequest,
      ramp: batches.map((b) => b.ramp),
    },
    costs: costs ? costs.steps.map((step) => roundCosts(step)) : null,
    ...(costs
      ? {
          idleCosts: {
            windowMs: Math.round(costs.idle.windowMs),
            perSecond: fourDecimals(costs.idle.perSecond),
            kafkaByApi: fourDecimals(costs.idle.kafkaByApi),
          },
        }
      : {}),
    ...(profiles
      ? {
          profiles: Object.fromEntries(
            Object.entries(profiles).map(([name, p]) => [
              name,
              {
                file: p.file,
                busyMs: round(p.busyMs),
                durationMs: round(p.durationMs),
                top: p.top.map((l) => ({ ...l, selfMs: round(l.selfMs), share: round(l.share) })),
                byArea: p.byArea
                  .slice(0, 10)
                  .map((a) => ({ ...a, selfMs: round(a.selfMs), share: round(a.share) })),
              },
            ]),
          ),
        }
      : {}),
    drills: options.drills ?? [],
    notes,
  };
  const report: BenchReport = { ...partial, targets: targetsOf(partial) };
  const written = writeReport(options.outDir ?? join(PROJECT_ROOT, 'bench'), report);
  log(`wrote ${written.json} and ${written.markdown}`);
  return report;
}

/** Per-service records of per-event figures with four decimals (hundredths of a request matter here). */
function fourDecimals<T extends object>(perService: Readonly<Record<string, T>>): Record<string, T> {
  const four = (record: T) =>
    Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, typeof v === 'number' ? round(v, 4) : v]),
    ) as T;
  return Object.fromEntries(Object.entries(perService).map(([name, record]) => [name, four(record)]));
}

function roundCosts(step: CostStep): CostStep {
  return {
    ...step,
    acknowledgedPerSecond: Math.round(step.acknowledgedPerSecond),
    spanMs: Math.round(step.spanMs),
    perService: fourDecimals(step.perService) as CostStep['perService'],
    kafkaByApi: fourDecimals(step.kafkaByApi) as CostStep['kafkaByApi'],
    redisByCommand: fourDecimals(step.redisByCommand) as CostStep['redisByCommand'],
  };
}

/** What `vocflow analysis evaluate --record` last wrote; the bench measures speed, not quality. */
function recordedAnalyzerQuality() {
  const path = join(PROJECT_ROOT, 'packages/analysis/figures.json');
  return existsSync(path) ? analyzerQualityOf(JSON.parse(readFileSync(path, 'utf8'))) : undefined;
}
