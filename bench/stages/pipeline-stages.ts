/**
 * Per-stage and end-to-end figures of the real services, each beside its own baseline:
 * enrichment vs a passthrough consumer→producer, aggregation vs consume-only (both draining a
 * pre-filled topic), ingest vs the bare HTTP handler, and the open-loop ramp through the webhook
 * endpoint to the query API.
 */
import { topicNames } from '@vocflow/contracts';
import { startBareHttpServer } from '../lib/bare-http.ts';
import { groupLag, topicRecordCount } from '../lib/kafka-tools.ts';
import { runLoad } from '../lib/load-generator.ts';
import { deleteNamespaceTopics, newNamespace, type StackEndpoints, startPipeline } from '../lib/pipeline.ts';
import { waitFor } from '../lib/processes.ts';
import { commandDelta } from '../lib/redis-server.ts';
import { createLatencyRecorder } from '../lib/stats.ts';
import { genericFeedback, signedRequest } from '../lib/webhook.ts';
import { drainBaseline, produceRecords, rawFeedbackValue } from './kafka-chain.ts';

export interface DrainFigures {
  readonly enrichmentEventsPerSecond: number;
  readonly passthroughEventsPerSecond: number;
  readonly aggregationEventsPerSecond: number;
  readonly consumeOnlyEventsPerSecond: number;
  readonly redisCommandsPerEvent: number;
  readonly redisWritesPerEvent: number;
  readonly dlq: number;
}

/** Prefills raw, drains it through enrichment, then drains enriched through aggregation. */
export async function benchDrains(
  stack: StackEndpoints,
  workDir: string,
  events: number,
): Promise<DrainFigures> {
  const namespace = newNamespace('drain');
  const topics = topicNames(namespace.topicPrefix);
  const pipeline = await startPipeline({ stack, namespace, workDir, services: [] });
  const { kafka } = pipeline;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    await produceRecords(producer, topics.feedbackRaw, events, (i) => rawFeedbackValue(namespace.id, i));
    await producer.disconnect();

    // Passthrough baseline into a scratch namespace's enriched topic.
    const scratch = newNamespace('pass');
    const { ensureTopics } = await import('@vocflow/kafka');
    await ensureTopics(kafka, { prefix: scratch.topicPrefix, only: ['feedback.enriched.v1'] });
    const passthrough = await drainBaseline(kafka, {
      from: topics.feedbackRaw,
      to: topicNames(scratch.topicPrefix).feedbackEnriched,
      expected: events,
      groupId: `${scratch.topicPrefix}passthrough`,
    });
    await deleteNamespaceTopics(kafka, scratch.topicPrefix);

    const enrichment = await pipeline.addInstance('enrichment');
    const enrichStart = performance.now();
    const enriched = await waitFor(
      async () =>
        (await topicRecordCount(admin, topics.feedbackEnriched)) +
          (await topicRecordCount(admin, topics.dlq)) >=
        events,
      180_000,
      20,
    );
    const enrichMs = performance.now() - enrichStart;
    if (!enriched) throw new Error('enrichment did not drain the raw topic within 180 s');
    await enrichment.stop();
    const dlq = await topicRecordCount(admin, topics.dlq);
    const enrichedCount = await topicRecordCount(admin, topics.feedbackEnriched);

    const consumeOnly = await drainBaseline(kafka, {
      from: topics.feedbackEnriched,
      expected: enrichedCount,
      groupId: `bench-consume-only-${namespace.id}`,
    });

    const before = await pipeline.redis.commandStats();
    const aggregation = await pipeline.addInstance('aggregation');
    const aggStart = performance.now();
    const aggregated = await waitFor(
      async () => (await groupLag(admin, namespace.topicPrefix, topics.feedbackEnriched)) === 0,
      180_000,
      20,
    );
    const aggMs = performance.now() - aggStart;
    if (!aggregated) throw new Error('aggregation did not drain the enriched topic within 180 s');
    const after = await pipeline.redis.commandStats();
    await aggregation.stop();
    const delta = commandDelta(before, after);
    return {
      enrichmentEventsPerSecond: (events / enrichMs) * 1000,
      passthroughEventsPerSecond: passthrough.eventsPerSecond,
      aggregationEventsPerSecond: (enrichedCount / aggMs) * 1000,
      consumeOnlyEventsPerSecond: consumeOnly.eventsPerSecond,
      redisCommandsPerEvent: delta.all / Math.max(enrichedCount, 1),
      redisWritesPerEvent: delta.writes / Math.max(enrichedCount, 1),
      dlq,
    };
  } finally {
    await admin.disconnect();
    await pipeline.close();
  }
}

export interface IngestFigures {
  readonly requestsPerSecond: number;
  readonly bareHttpRequestsPerSecond: number;
}

/** Saturates a POST handler with the load generator: at most `connections` requests outstanding. */
async function saturate(
  url: string,
  durationMs: number,
  request: (i: number) => { body: string; headers: Record<string, string> },
) {
  const result = await runLoad({
    url,
    ratePerSecond: 200_000,
    durationMs,
    maxEvents: 5_000_000,
    connections: 32,
    maxOutstanding: 64,
    request,
  });
  return result.acknowledgedPerSecond;
}

export async function benchBareHttp(durationMs: number): Promise<number> {
  const server = await startBareHttpServer();
  try {
    const body = JSON.stringify(genericFeedback('bare', 1));
    return await saturate(server.url, durationMs, () => ({
      body,
      headers: { 'content-type': 'application/json' },
    }));
  } finally {
    await server.close();
  }
}

/** Ingest alone (it writes to Kafka, nothing consumes): webhook requests per second. */
export async function benchIngestHarness(
  stack: StackEndpoints,
  workDir: string,
  durationMs: number,
): Promise<number> {
  const namespace = newNamespace('ingest');
  const pipeline = await startPipeline({ stack, namespace, workDir, services: ['ingest'] });
  try {
    return await saturate(`${pipeline.ingestUrl}/v1/webhooks/generic`, durationMs, (i) =>
      signedRequest(
        pipeline.webhookSecret,
        `${namespace.id}-${i}`,
        JSON.stringify(genericFeedback(namespace.id, i)),
      ),
    );
  } finally {
    await pipeline.close();
  }
}

export interface RampStep {
  readonly targetPerSecond: number;
  readonly acknowledgedPerSecond: number;
  readonly errorRate: number;
  readonly caughtUpMs: number | null;
  readonly sustained: boolean;
}

export interface EndToEndFigures {
  readonly eventsPerSecond: number;
  readonly ramp: readonly RampStep[];
  readonly halfLoadPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly ingestP99Ms: number;
  readonly redisCommandsPerEvent: number;
  readonly redisWritesPerEvent: number;
  readonly s3ObjectsPerMinute: number | null;
  readonly cpuMsPerEvent: Readonly<Record<string, number>>;
  readonly peakRssMiB: Readonly<Record<string, number>>;
  readonly events: number;
}

/**
 * Open-loop ramp through `POST /v1/webhooks/generic`: each step runs `stepMs` at a rate; a step is
 * sustained when ≥ 99 % of its events were acknowledged at ≥ 90 % of the target rate and the query
 * API's count caught up within `stepMs / 2` (at least `minCatchUpMs`) after the step. Then a run at half the highest sustained
 * rate measures webhook-to-rollup latency from the API's count (count ≥ i + 1 ⇒ event i is visible).
 */
export async function benchEndToEnd(
  stack: StackEndpoints,
  workDir: string,
  options: {
    rates: readonly number[];
    stepMs: number;
    latencyMs: number;
    /** Load at the first rate before the ramp, in no step (JIT, connections, first batches). */
    warmupMs?: number;
    /** A step's catch-up may take half the step, and at least this long (short steps of a quick run). */
    minCatchUpMs?: number;
    countS3: (prefix: string) => Promise<number>;
  },
): Promise<EndToEndFigures> {
  const namespace = newNamespace('e2e');
  const pipeline = await startPipeline({ stack, namespace, workDir });
  let total = 0;
  const url = `${pipeline.ingestUrl}/v1/webhooks/generic`;
  const started = performance.now();
  try {
    const ramp: RampStep[] = [];
    let best = 0;
    if (options.warmupMs) {
      const warm = await runLoad({
        url,
        ratePerSecond: options.rates[0] ?? 1_000,
        durationMs: options.warmupMs,
        maxEvents: Math.ceil(((options.rates[0] ?? 1_000) * options.warmupMs) / 1000) + 1,
        maxOutstanding: 5_000,
        request: (i) =>
          signedRequest(
            pipeline.webhookSecret,
            `${namespace.id}-warm-${i}`,
            JSON.stringify(genericFeedback(`${namespace.id}-warm`, i)),
          ),
      });
      total += warm.sent;
      await waitFor(async () => ((await pipeline.overviewCount()) ?? -1) >= warm.acknowledged, 30_000, 50);
    }
    for (const rate of options.rates) {
      const offset = total;
      const counted = (await pipeline.overviewCount()) ?? offset;
      const result = await runLoad({
        url,
        ratePerSecond: rate,
        durationMs: options.stepMs,
        maxEvents: Math.ceil((rate * options.stepMs) / 1000) + 1,
        maxOutstanding: 5_000,
        request: (i) =>
          signedRequest(
            pipeline.webhookSecret,
            `${namespace.id}-${offset + i}`,
            JSON.stringify(genericFeedback(namespace.id, offset + i)),
          ),
      });
      total += result.sent;
      const end = performance.now();
      const caught = await waitFor(
        async () => ((await pipeline.overviewCount()) ?? -1) >= counted + result.acknowledged,
        Math.max(options.stepMs, 5_000),
        50,
      );
      const caughtUpMs = caught ? performance.now() - end : null;
      const errorRate = 1 - result.acknowledged / Math.max(result.sent + result.missed, 1);
      const sustained =
        errorRate <= 0.01 &&
        result.acknowledgedPerSecond >= 0.9 * rate &&
        caughtUpMs !== null &&
        caughtUpMs <= Math.max(options.stepMs / 2, options.minCatchUpMs ?? 0);
      ramp.push({
        targetPerSecond: rate,
        acknowledgedPerSecond: result.acknowledgedPerSecond,
        errorRate,
        caughtUpMs,
        sustained,
      });
      if (sustained) best = Math.max(best, result.acknowledgedPerSecond);
      else break;
    }

    // Latency at half load: poll the count and attribute each increase to the earliest events.
    const half = Math.max(1, Math.floor((best || (options.rates[0] ?? 100)) / 2));
    await waitFor(async () => ((await pipeline.overviewCount()) ?? -1) >= total, 30_000, 50);
    const offset = (await pipeline.overviewCount()) ?? total;
    const redisBefore = await pipeline.redis.commandStats();
    const cpuBefore = new Map(pipeline.processes().map((p) => [p.name, p.cpuSeconds()]));
    // Samples of (time, visible count) while the load runs and until everything is visible.
    const samples: { at: number; count: number }[] = [];
    let loading = true;
    let latencyEvents = Number.POSITIVE_INFINITY;
    const poller = (async () => {
      const deadline = () => performance.now() + 30_000;
      let until = Number.POSITIVE_INFINITY;
      for (;;) {
        const count = ((await pipeline.overviewCount()) ?? offset) - offset;
        samples.push({ at: performance.now(), count });
        if (!loading) {
          if (until === Number.POSITIVE_INFINITY) until = deadline();
          if (count >= latencyEvents || performance.now() > until) return;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const result = await runLoad({
      url,
      ratePerSecond: half,
      durationMs: options.latencyMs,
      maxEvents: Math.ceil((half * options.latencyMs) / 1000) + 1,
      request: (i) =>
        signedRequest(
          pipeline.webhookSecret,
          `${namespace.id}-lat-${i}`,
          JSON.stringify(genericFeedback(`${namespace.id}-lat`, i)),
        ),
    });
    latencyEvents = result.acknowledged;
    loading = false;
    await poller;
    const latency = createLatencyRecorder();
    let sample = 0;
    for (let i = 0; i < result.sent; i += 1) {
      while (sample < samples.length && samples[sample]!.count < i + 1) sample += 1;
      if (sample >= samples.length) break;
      latency.record(samples[sample]!.at - result.dueAt[i]!);
    }
    total += result.sent;
    const redisAfter = await pipeline.redis.commandStats();
    const delta = commandDelta(redisBefore, redisAfter);
    const cpuMsPerEvent: Record<string, number> = {};
    const peakRssMiB: Record<string, number> = {};
    for (const p of pipeline.processes()) {
      cpuMsPerEvent[p.name] =
        ((p.cpuSeconds() - (cpuBefore.get(p.name) ?? 0)) * 1000) / Math.max(result.acknowledged, 1);
      peakRssMiB[p.name] = Math.round(p.peakRssBytes() / 2 ** 20);
    }
    const minutes = (performance.now() - started) / 60_000;
    let s3ObjectsPerMinute: number | null = null;
    try {
      s3ObjectsPerMinute = (await options.countS3(namespace.s3Prefix)) / minutes;
    } catch {
      s3ObjectsPerMinute = null;
    }
    return {
      eventsPerSecond: best,
      ramp,
      halfLoadPerSecond: half,
      p50Ms: latency.percentile(50),
      p95Ms: latency.percentile(95),
      p99Ms: latency.percentile(99),
      ingestP99Ms: result.latency.percentile(99),
      redisCommandsPerEvent: delta.all / Math.max(result.acknowledged, 1),
      redisWritesPerEvent: delta.writes / Math.max(result.acknowledged, 1),
      s3ObjectsPerMinute,
      cpuMsPerEvent,
      peakRssMiB,
      events: total,
    };
  } finally {
    await pipeline.close();
  }
}
