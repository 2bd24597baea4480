/**
 * The pipeline under a steady, modest load rather than at its ceiling: CPU per event and ack latency at
 * 1,000 webhooks/s, how long the rollups take to catch up, what the services burn when idle
 * (`benchSteady`); the fixed costs per event — Kafka requests, Redis commands and round trips, S3 calls,
 * timers and socket writes — at several rates (`benchCosts`); CPU profiles of each service over the
 * same load (`benchProfiles`); and the highest sustained rate with 100 events per request
 * (`benchEndToEndBatch`).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topicNames } from '@vocflow/contracts';
import { createKeyspace } from '@vocflow/rollups';
import { Redis } from 'ioredis';
import {
  type CostPerEvent,
  type CostSnapshot,
  costDelta,
  parseCostMetrics,
  perEvent,
} from '../lib/cost-metrics.ts';
import { type ProfileSummary, startProfiling, summarizeProfile } from '../lib/cpu-profile.ts';
import { committedLag } from '../lib/kafka-tools.ts';
import { httpRequest, type LoadResult, runLoad } from '../lib/load-generator.ts';
import {
  newNamespace,
  type Pipeline,
  type StackEndpoints,
  startPipeline,
  WORKERS,
  type WorkerName,
} from '../lib/pipeline.ts';
import { sampleProc, sleep, waitFor } from '../lib/processes.ts';
import { createLatencyRecorder } from '../lib/stats.ts';
import { genericFeedback, signedRequest } from '../lib/webhook.ts';
import type { RampStep } from './pipeline-stages.ts';

/** Signed generic webhooks, one event per request (ids unique within the namespace). */
function oneEventRequests(pipeline: Pipeline, label: string) {
  const id = pipeline.namespace.id;
  return (i: number) =>
    signedRequest(
      pipeline.webhookSecret,
      `${id}-${label}-${i}`,
      JSON.stringify(genericFeedback(`${id}-${label}`, i)),
    );
}

/** Signed generic webhooks carrying an array of `size` events each. */
function batchRequests(pipeline: Pipeline, label: string, size: number) {
  const id = pipeline.namespace.id;
  return (i: number) => {
    const items = Array.from({ length: size }, (_, j) => genericFeedback(`${id}-${label}-${i}`, j));
    return signedRequest(pipeline.webhookSecret, `${id}-${label}-${i}`, JSON.stringify(items));
  };
}

const firstInstances = (pipeline: Pipeline) =>
  WORKERS.map((name) => ({ name, process: pipeline.instances.get(name)![0]! }));

function cpuOf(pipeline: Pipeline): Record<WorkerName, number> {
  return Object.fromEntries(firstInstances(pipeline).map((w) => [w.name, w.process.cpuSeconds()])) as Record<
    WorkerName,
    number
  >;
}

/**
 * Waits until the feeds have no day left to write: no dirty day (rollups changed since the last feeds
 * run) and none a run took and has not finished, in any shard of the pipeline's keyspace. One
 * connection for the whole wait; false after `timeoutMs`.
 */
async function feedsWritten(pipeline: Pipeline, timeoutMs: number): Promise<boolean> {
  const keys = createKeyspace({ keyPrefix: pipeline.namespace.redisKeyPrefix });
  const names = Array.from({ length: keys.shards }, (_, shard) => [
    keys.dirtyDays(shard),
    keys.dirtyDaysWriting(shard),
  ]).flat();
  const redis = new Redis(pipeline.redis.url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  try {
    return await waitFor(async () => (await redis.exists(...names)) === 0, timeoutMs, 500);
  } finally {
    redis.disconnect();
  }
}

/** Waits until the API's overview count reaches `count`; the time it was seen, or null after `timeoutMs`. */
async function countReached(pipeline: Pipeline, count: number, timeoutMs: number): Promise<number | null> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = (await pipeline.overviewCount()) ?? -1;
    const now = performance.now();
    if (seen >= count) return now;
    if (now > deadline) return null;
    await sleep(10);
  }
}

export interface SteadySettings {
  readonly ratePerSecond: number;
  /** Load before the measured window, excluded from every figure (JIT, connections, first batches). */
  readonly warmupMs: number;
  readonly windowMs: number;
  /** Quiet time between the load's last deferred write (archive objects, feeds) and the idle window. */
  readonly settleMs: number;
  /** How long to wait for the archive to write what the load buffered (default 60 s). */
  readonly archiveTimeoutMs?: number;
  /** How long to wait for the feeds to write the days the load changed (default 90 s). */
  readonly feedsTimeoutMs?: number;
  readonly idleMs: number;
}

export interface SteadyFigures {
  readonly ratePerSecond: number;
  readonly windowMs: number;
  readonly warmupMs: number;
  /** Events due in the window and acknowledged. */
  readonly events: number;
  readonly acknowledgedPerSecond: number;
  readonly errors: number;
  /** CPU of the four services together over the window, per event acknowledged in it. */
  readonly cpuMsPerEvent: number;
  readonly perService: Readonly<Record<WorkerName, number>>;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  /** From the last acknowledgement until `GET /v1/overview` counts every acknowledged event; null if never. */
  readonly catchUpMs: number | null;
  /**
   * CPU per request of a bare `node:http` server process answering the same requests at the same rate
   * over a window as long (what any Node HTTP edge pays per request at this rate); null if not measured.
   */
  readonly bareHttpCpuMsPerRequest: number | null;
  /** CPU of the pipeline's Redis (a throwaway `redis-server`, AOF fsync always) over the window, per event. */
  readonly redisCpuMsPerEvent: number;
}

export interface IdleFigures {
  readonly windowMs: number;
  /** CPU of the four services together, as % of one core. */
  readonly cpuPercentOfCore: number;
  readonly perService: Readonly<Record<WorkerName, number>>;
}

/**
 * 1,000 signed generic webhooks/s (one event each, open loop, 64 keep-alive sockets) for warm-up +
 * window; CPU from /proc over the window only; ack latency of the events due in the window; the catch-up
 * after the last ack; then, once the archive has written what the load buffered and a settle has
 * passed, the four services with no traffic at all.
 */
export async function benchSteady(
  stack: StackEndpoints,
  workDir: string,
  settings: SteadySettings,
): Promise<{ steady: SteadyFigures; idle: IdleFigures }> {
  const bareHttpCpuMsPerRequest = await bareHttpAtRate(settings);
  const namespace = newNamespace('steady');
  const pipeline = await startPipeline({ stack, namespace, workDir });
  try {
    const url = `${pipeline.ingestUrl}/v1/webhooks/generic`;
    const rate = settings.ratePerSecond;
    const loadMs = settings.warmupMs + settings.windowMs;
    const marks: { at: number; cpu: Record<WorkerName, number>; redis: number }[] = [];
    const mark = () =>
      marks.push({ at: performance.now(), cpu: cpuOf(pipeline), redis: pipeline.redis.process.cpuSeconds() });
    // runLoad starts its clock synchronously on the call: the timers share its origin within a tick.
    const origin = performance.now();
    const timers: NodeJS.Timeout[] = [];
    const marked = [settings.warmupMs, loadMs].map(
      (at) =>
        new Promise<void>((resolve) => {
          timers.push(
            setTimeout(() => {
              mark();
              resolve();
            }, at),
          );
        }),
    );
    let result: LoadResult;
    try {
      result = await runLoad({
        url,
        ratePerSecond: rate,
        durationMs: loadMs,
        maxEvents: Math.ceil((rate * loadMs) / 1000) + 1,
        connections: 64,
        request: oneEventRequests(pipeline, 'steady'),
      });
    } catch (error) {
      for (const t of timers) clearTimeout(t);
      throw error;
    }
    // The last event is due when the window ends, so its answer can come in the very turn the window's
    // closing mark is due, before that timer ran: wait for it rather than cancel it.
    await Promise.all(marked);
    const lastAck = result.ackAt.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
    const seen = await countReached(pipeline, result.acknowledged, 120_000);
    const [from, to] = marks as [(typeof marks)[0], (typeof marks)[0]];
    const windowStart = origin + settings.warmupMs;
    const windowEnd = origin + loadMs;
    const latency = createLatencyRecorder();
    for (let i = 0; i < result.sent; i += 1) {
      const due = result.dueAt[i]!;
      if (due < windowStart || due >= windowEnd || !Number.isFinite(result.ackAt[i]!)) continue;
      latency.record(result.ackAt[i]! - due);
    }
    const events = latency.count;
    const perService = {} as Record<WorkerName, number>;
    let cpuMs = 0;
    for (const name of WORKERS) {
      const ms = (to.cpu[name] - from.cpu[name]) * 1000;
      perService[name] = ms / Math.max(events, 1);
      cpuMs += ms;
    }
    const steady: SteadyFigures = {
      ratePerSecond: rate,
      windowMs: to.at - from.at,
      warmupMs: settings.warmupMs,
      events,
      acknowledgedPerSecond: (events / (to.at - from.at)) * 1000,
      errors: result.sent + result.missed - result.acknowledged,
      cpuMsPerEvent: cpuMs / Math.max(events, 1),
      perService,
      ackP50Ms: latency.percentile(50),
      ackP99Ms: latency.percentile(99),
      catchUpMs: seen === null ? null : Math.max(0, seen - lastAck),
      bareHttpCpuMsPerRequest,
      redisCpuMsPerEvent: ((to.redis - from.redis) * 1000) / Math.max(events, 1),
    };

    // Idle starts once the work of the load is done: the archive consumer commits only after its
    // buffered objects are written to S3 (up to ARCHIVE_MAX_AGE_MS after the last event), and the
    // feeds write the days the load changed at their next run (every FEEDS_INTERVAL_MS).
    const admin = pipeline.kafka.admin();
    await admin.connect();
    try {
      const enriched = topicNames(namespace.topicPrefix).feedbackEnriched;
      await waitFor(
        async () => (await committedLag(admin, `${namespace.topicPrefix}vocflow-archive`, enriched)) === 0,
        settings.archiveTimeoutMs ?? 60_000,
        200,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await feedsWritten(pipeline, settings.feedsTimeoutMs ?? 90_000);
    await sleep(settings.settleMs);
    const idleFrom = { at: performance.now(), cpu: cpuOf(pipeline) };
    await sleep(settings.idleMs);
    const idleTo = { at: performance.now(), cpu: cpuOf(pipeline) };
    const idleSeconds = (idleTo.at - idleFrom.at) / 1000;
    const idlePer = {} as Record<WorkerName, number>;
    let idleCpu = 0;
    for (const name of WORKERS) {
      const s = idleTo.cpu[name] - idleFrom.cpu[name];
      idlePer[name] = (s / idleSeconds) * 100;
      idleCpu += s;
    }
    return {
      steady,
      idle: {
        windowMs: idleSeconds * 1000,
        cpuPercentOfCore: (idleCpu / idleSeconds) * 100,
        perService: idlePer,
      },
    };
  } finally {
    await pipeline.close();
  }
}

/**
 * A bare `node:http` server in a process of its own under the steady load (same rate, sockets and
 * request bodies, warm-up excluded): its CPU per request answered in the window. Null when it could not
 * be measured (the reason goes to stderr).
 */
async function bareHttpAtRate(settings: SteadySettings): Promise<number | null> {
  const script = fileURLToPath(new URL('../lib/bare-http-server.ts', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
      });
      child.once('exit', (code) => reject(new Error(`the bare HTTP server exited (${code})`)));
    });
    const cpu = () => sampleProc(child.pid!)?.cpuSeconds ?? Number.NaN;
    const marks: number[] = [];
    const loadMs = settings.warmupMs + settings.windowMs;
    const origin = performance.now();
    const timers = [settings.warmupMs, loadMs].map((at) => setTimeout(() => marks.push(cpu()), at));
    let result: LoadResult;
    try {
      result = await runLoad({
        url,
        ratePerSecond: settings.ratePerSecond,
        durationMs: loadMs,
        maxEvents: Math.ceil((settings.ratePerSecond * loadMs) / 1000) + 1,
        connections: 64,
        request: (i) =>
          signedRequest(
            'whsec_YmFyZS1odHRwLWZsb29yLXNlY3JldA==',
            `bare-${i}`,
            JSON.stringify(genericFeedback('bare', i)),
          ),
      });
    } finally {
      for (const t of timers) clearTimeout(t);
    }
    if (marks.length < 2) return null;
    const from = origin + settings.warmupMs;
    let answered = 0;
    for (let i = 0; i < result.sent; i += 1) {
      const due = result.dueAt[i]!;
      if (due >= from && due < origin + loadMs && Number.isFinite(result.ackAt[i]!)) answered += 1;
    }
    const ms = (marks[1]! - marks[0]!) * 1000;
    return answered > 0 && Number.isFinite(ms) ? ms / answered : null;
  } catch (error) {
    process.stderr.write(`bench: the bare HTTP floor was not measured: ${(error as Error).message}\n`);
    return null;
  } finally {
    child.kill('SIGTERM');
  }
}

async function costSnapshot(pipeline: Pipeline, name: WorkerName): Promise<CostSnapshot> {
  const base = pipeline.opsUrl(name);
  if (!base) throw new Error(`no ops endpoint for ${name}`);
  const answer = await httpRequest(`${base}/metrics`, { timeoutMs: 5_000 });
  if (answer.status !== 200) throw new Error(`${name} /metrics answered ${answer.status}`);
  const snapshot = parseCostMetrics(answer.body);
  if (Object.keys(snapshot.resources).length === 0)
    throw new Error(`${name} exposes no cost counters (VOCFLOW_COST_COUNTERS not honoured)`);
  return snapshot;
}

export interface CostStep {
  readonly targetPerSecond: number;
  readonly acknowledgedPerSecond: number;
  readonly events: number;
  /** From the start of the load until both consumer groups had committed every event. */
  readonly spanMs: number;
  readonly perService: Readonly<Record<WorkerName, CostPerEvent>>;
  /** Kafka requests per event by API, every API (the table folds the rare ones into "other"). */
  readonly kafkaByApi: Readonly<Record<WorkerName, Readonly<Record<string, number>>>>;
  readonly redisByCommand: Readonly<Record<WorkerName, Readonly<Record<string, number>>>>;
}

/** The same counters with no traffic, per second. */
export interface IdleCosts {
  readonly windowMs: number;
  readonly perSecond: Readonly<Record<WorkerName, CostPerEvent>>;
  readonly kafkaByApi: Readonly<Record<WorkerName, Readonly<Record<string, number>>>>;
}

/**
 * The four services with `VOCFLOW_COST_COUNTERS=1`; for each rate, the counters of each service from
 * `/metrics` before the load and after enrichment and aggregation have committed every acknowledged
 * event (watched on the broker, so the API is not asked anything), divided by the events acknowledged.
 * Then the same counters over `idleMs` with no traffic, per second. The counters cost the services some
 * CPU (a hook on every timer, tick and socket write): no CPU figure comes from here.
 */
export async function benchCosts(
  stack: StackEndpoints,
  workDir: string,
  settings: { rates: readonly number[]; stepMs: number; warmupMs: number; idleMs: number },
): Promise<{ steps: CostStep[]; idle: IdleCosts }> {
  const namespace = newNamespace('costs');
  const topics = topicNames(namespace.topicPrefix);
  const pipeline = await startPipeline({ stack, namespace, workDir, env: { VOCFLOW_COST_COUNTERS: '1' } });
  const admin = pipeline.kafka.admin();
  await admin.connect();
  const url = `${pipeline.ingestUrl}/v1/webhooks/generic`;
  const groups = [
    [`${namespace.topicPrefix}vocflow-enrichment`, topics.feedbackRaw],
    [`${namespace.topicPrefix}vocflow-aggregation`, topics.feedbackEnriched],
  ] as const;
  const drained = async () => {
    for (const [group, topic] of groups) if ((await committedLag(admin, group, topic)) !== 0) return false;
    return true;
  };
  try {
    await runLoad({
      url,
      ratePerSecond: settings.rates[0] ?? 100,
      durationMs: settings.warmupMs,
      maxEvents: 1_000_000,
      request: oneEventRequests(pipeline, 'warm'),
    });
    await waitFor(drained, 60_000, 50);
    const steps: CostStep[] = [];
    for (const rate of settings.rates) {
      const before = await Promise.all(WORKERS.map((name) => costSnapshot(pipeline, name)));
      const started = performance.now();
      const result = await runLoad({
        url,
        ratePerSecond: rate,
        durationMs: settings.stepMs,
        maxEvents: Math.ceil((rate * settings.stepMs) / 1000) + 1,
        connections: 64,
        request: oneEventRequests(pipeline, `r${rate}`),
      });
      if (!(await waitFor(drained, 120_000, 50)))
        throw new Error(`the consumers did not commit the ${rate}/s step within 120 s`);
      const spanMs = performance.now() - started;
      const after = await Promise.all(WORKERS.map((name) => costSnapshot(pipeline, name)));
      const perService = {} as Record<WorkerName, CostPerEvent>;
      const kafkaByApi = {} as Record<WorkerName, Record<string, number>>;
      const redisByCommand = {} as Record<WorkerName, Record<string, number>>;
      const events = Math.max(result.acknowledged, 1);
      WORKERS.forEach((name, i) => {
        const delta = costDelta(before[i]!, after[i]!);
        perService[name] = perEvent(delta, events);
        kafkaByApi[name] = Object.fromEntries(
          Object.entries(delta.kafkaRequests).map(([api, n]) => [api, n / events]),
        );
        redisByCommand[name] = Object.fromEntries(
          Object.entries(delta.redisCommands).map(([command, n]) => [command, n / events]),
        );
      });
      steps.push({
        targetPerSecond: rate,
        acknowledgedPerSecond: result.acknowledgedPerSecond,
        events: result.acknowledged,
        spanMs,
        perService,
        kafkaByApi,
        redisByCommand,
      });
    }
    // No traffic: the same counters per second (what the services do while nothing arrives).
    await sleep(3_000);
    const quietFrom = await Promise.all(WORKERS.map((name) => costSnapshot(pipeline, name)));
    const quietStart = performance.now();
    await sleep(settings.idleMs);
    const quietTo = await Promise.all(WORKERS.map((name) => costSnapshot(pipeline, name)));
    const seconds = (performance.now() - quietStart) / 1000;
    const perSecond = {} as Record<WorkerName, CostPerEvent>;
    const kafkaPerSecond = {} as Record<WorkerName, Record<string, number>>;
    WORKERS.forEach((name, i) => {
      const delta = costDelta(quietFrom[i]!, quietTo[i]!);
      // perEvent with `seconds` as the divisor gives the figures per second.
      perSecond[name] = perEvent(delta, seconds);
      kafkaPerSecond[name] = Object.fromEntries(
        Object.entries(delta.kafkaRequests).map(([api, n]) => [api, n / seconds]),
      );
    });
    return { steps, idle: { windowMs: seconds * 1000, perSecond, kafkaByApi: kafkaPerSecond } };
  } finally {
    await admin.disconnect().catch(() => undefined);
    await pipeline.close();
  }
}

/**
 * CPU profiles of the four services over `windowMs` at `ratePerSecond` (after a warm-up), through the
 * inspector: each `.cpuprofile` is written to `outDir` and summarized.
 */
export async function benchProfiles(
  stack: StackEndpoints,
  workDir: string,
  settings: { ratePerSecond: number; warmupMs: number; windowMs: number; outDir: string },
): Promise<Record<WorkerName, ProfileSummary & { file: string }>> {
  const namespace = newNamespace('profile');
  const pipeline = await startPipeline({ stack, namespace, workDir, inspect: true });
  mkdirSync(settings.outDir, { recursive: true });
  try {
    const loadMs = settings.warmupMs + settings.windowMs;
    const load = runLoad({
      url: `${pipeline.ingestUrl}/v1/webhooks/generic`,
      ratePerSecond: settings.ratePerSecond,
      durationMs: loadMs,
      maxEvents: Math.ceil((settings.ratePerSecond * loadMs) / 1000) + 1,
      connections: 64,
      request: oneEventRequests(pipeline, 'profile'),
    });
    await sleep(settings.warmupMs);
    const profiling = await Promise.all(
      WORKERS.map((name) => startProfiling(pipeline.inspectorPort(name) ?? Number.NaN)),
    );
    await sleep(settings.windowMs);
    const profiles = await Promise.all(profiling.map((p) => p.stop()));
    await load;
    const out = {} as Record<WorkerName, ProfileSummary & { file: string }>;
    WORKERS.forEach((name, i) => {
      const file = join(settings.outDir, `${name}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profiles[i]));
      out[name] = { ...summarizeProfile(profiles[i]!), file };
    });
    return out;
  } finally {
    await pipeline.close();
  }
}

export interface BatchFigures {
  readonly eventsPerSecond: number;
  readonly eventsPerRequest: number;
  readonly ramp: readonly RampStep[];
}

/**
 * Open-loop ramp of generic webhooks carrying `eventsPerRequest` events each (rates in events/s); a step
 * is sustained on the same terms as the one-event ramp (≥ 99 % acknowledged at ≥ 90 % of the rate, the
 * count caught up within half a step, at least `minCatchUpMs`). A warm-up at the first rate comes first.
 */
export async function benchEndToEndBatch(
  stack: StackEndpoints,
  workDir: string,
  settings: {
    rates: readonly number[];
    stepMs: number;
    warmupMs: number;
    eventsPerRequest: number;
    minCatchUpMs: number;
  },
): Promise<BatchFigures> {
  const namespace = newNamespace('batch');
  const pipeline = await startPipeline({ stack, namespace, workDir });
  const size = settings.eventsPerRequest;
  const url = `${pipeline.ingestUrl}/v1/webhooks/generic`;
  let counted = 0;
  const step = async (label: string, eventsPerSecond: number, durationMs: number, catchUpMs: number) => {
    const requestsPerSecond = eventsPerSecond / size;
    const result = await runLoad({
      url,
      ratePerSecond: requestsPerSecond,
      durationMs,
      maxEvents: Math.ceil((requestsPerSecond * durationMs) / 1000) + 1,
      connections: 64,
      maxOutstanding: 1_000,
      request: batchRequests(pipeline, label, size),
    });
    counted += result.acknowledged * size;
    const end = performance.now();
    const seen = await countReached(pipeline, counted, catchUpMs);
    return { result, caughtUpMs: seen === null ? null : Math.max(0, seen - end) };
  };
  try {
    const ramp: RampStep[] = [];
    let best = 0;
    // The warm-up's backlog is drained before the first step (it is no step's to catch up).
    await step('warm', settings.rates[0] ?? 1_000, settings.warmupMs, 60_000);
    for (const rate of settings.rates) {
      const { result, caughtUpMs } = await step(
        `r${rate}`,
        rate,
        settings.stepMs,
        Math.max(settings.stepMs, 10_000),
      );
      const acknowledgedPerSecond = result.acknowledgedPerSecond * size;
      const errorRate = 1 - result.acknowledged / Math.max(result.sent + result.missed, 1);
      const sustained =
        errorRate <= 0.01 &&
        acknowledgedPerSecond >= 0.9 * rate &&
        caughtUpMs !== null &&
        caughtUpMs <= Math.max(settings.stepMs / 2, settings.minCatchUpMs);
      ramp.push({ targetPerSecond: rate, acknowledgedPerSecond, errorRate, caughtUpMs, sustained });
      if (!sustained) break;
      best = Math.max(best, acknowledgedPerSecond);
    }
    return { eventsPerSecond: best, eventsPerRequest: size, ramp };
  } finally {
    await pipeline.close();
  }
}
