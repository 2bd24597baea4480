/**
 * Fault drills: the pipeline runs as separate processes under open-loop load from a client that
 * retries like a webhook provider (same event id until a 2xx); a fault is injected mid-stream; at the
 * end the query API's count must equal the distinct events acknowledged — nothing lost, nothing twice.
 */
import net from 'node:net';
import { topicNames } from '@vocflow/contracts';
import { type ServiceStatus, stackStatus, startService, stopService } from '@vocflow/stack';
import { topicRecordCount } from '../lib/kafka-tools.ts';
import { httpRequest, type LoadResult, runLoad } from '../lib/load-generator.ts';
import { newNamespace, type Pipeline, type StackEndpoints, startPipeline } from '../lib/pipeline.ts';
import { sleep } from '../lib/processes.ts';
import type { DrillLine } from '../lib/report.ts';
import { genericFeedback, signedRequest } from '../lib/webhook.ts';
import { hostileInput } from './hostile-input.ts';

export const DRILL_NAMES = [
  'kill-ingest',
  'kill-enrichment',
  'kill-aggregation',
  'kafka-outage',
  'redis-outage',
  's3-outage',
  'duplicates',
  'poison',
  'rebalance',
  'slow-loris',
  'oversized-body',
  'hostile-input',
] as const;
export type DrillName = (typeof DRILL_NAMES)[number];

export interface DrillSettings {
  /** Outage length for Kafka, Redis and S3. */
  readonly outageMs: number;
  /** Events per second of the background load. */
  readonly rate: number;
  /** How long new events are sent. */
  readonly loadMs: number;
  /** How long the count may take to converge after the load. */
  readonly settleMs: number;
}

export const SHORT_DRILLS: DrillSettings = { outageMs: 5_000, rate: 200, loadMs: 8_000, settleMs: 60_000 };
export const FULL_DRILLS: DrillSettings = {
  outageMs: 30_000,
  rate: 1_000,
  loadMs: 45_000,
  settleMs: 120_000,
};

interface Fault {
  /** Injects the fault and clears it; resolves with the time it was cleared. */
  inject(pipeline: Pipeline): Promise<number>;
  /** Each event is delivered this many times (duplicates flood). */
  readonly copies?: number;
  /** Checks after the load; returns notes and whether they pass. */
  after?(pipeline: Pipeline, load: LoadResult): Promise<{ ok: boolean; notes: string[] }>;
  /** Poison records produced straight into the raw topic; the DLQ must hold at least these. */
  readonly poison?: number;
  /** Items the fault itself got acknowledged besides the load (they must be counted too). */
  extraCounted?(): number;
  /** Throws, before anything starts, when the drill cannot inject its fault here (says why). */
  ready?(stack: StackEndpoints): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const sameAddress = (a: string, b: string) => {
  const [hostA, portA] = [a.slice(0, a.lastIndexOf(':')), a.slice(a.lastIndexOf(':') + 1)];
  const [hostB, portB] = [b.slice(0, b.lastIndexOf(':')), b.slice(b.lastIndexOf(':') + 1)];
  return portA === portB && (hostA === hostB || (LOOPBACK.has(hostA) && LOOPBACK.has(hostB)));
};

/**
 * Why the kafka-outage drill cannot stop the Kafka the pipeline uses, or undefined when it can: it
 * stops only a broker this checkout's stack started (`vocflow stack up` here), and only when that is
 * the one broker the pipeline talks to. Another checkout's or process's Kafka cannot be stopped, and
 * reporting an outage that never happened would be a lie.
 */
export function kafkaOutageRefusal(
  brokers: readonly string[],
  kafka: Pick<ServiceStatus, 'address' | 'owner' | 'ready'> | undefined,
): string | undefined {
  if (brokers.length !== 1)
    return `the pipeline uses ${brokers.length} brokers (${brokers.join(',')}); the drill stops one local broker`;
  if (kafka === undefined || !kafka.ready)
    return `this checkout's stack has no Kafka running (its address would be ${kafka?.address ?? 'unknown'})`;
  if (!sameAddress(brokers[0]!, kafka.address))
    return `the pipeline's Kafka ${brokers[0]} is not this checkout's stack Kafka (${kafka.address})`;
  if (kafka.owner !== 'stack')
    return `the Kafka at ${kafka.address} was started by another checkout or process (owner: ${kafka.owner}), so this drill cannot stop it; run it against a stack this checkout started (npx vocflow stack up)`;
  return undefined;
}

const outage = (
  down: (p: Pipeline) => Promise<unknown>,
  up: (p: Pipeline) => Promise<unknown>,
  ms: number,
): Fault => ({
  async inject(pipeline) {
    await down(pipeline);
    await sleep(ms);
    await up(pipeline);
    return performance.now();
  },
});

const kill = (name: 'ingest' | 'enrichment' | 'aggregation'): Fault => ({
  async inject(pipeline) {
    const worker = pipeline.instances.get(name)?.[0];
    if (!worker) throw new Error(`no ${name} instance`);
    await worker.kill9();
    await sleep(1_000);
    await worker.start();
    return performance.now();
  },
});

function faultFor(name: DrillName, settings: DrillSettings): Fault {
  switch (name) {
    case 'kill-ingest':
    case 'kill-enrichment':
    case 'kill-aggregation':
      return kill(name.slice('kill-'.length) as 'ingest' | 'enrichment' | 'aggregation');
    case 'kafka-outage':
      return {
        async ready(stack) {
          const status = await stackStatus();
          const why = kafkaOutageRefusal(
            stack.kafkaBrokers,
            status.services.find((service) => service.name === 'kafka'),
          );
          if (why !== undefined) throw new Error(`kafka-outage cannot run: ${why}`);
        },
        ...outage(
          async () => {
            const stopped = await stopService('kafka');
            if (stopped !== 'stopped')
              throw new Error(`kafka-outage: Kafka was not stopped (${stopped}); no outage to report`);
          },
          () => startService('kafka'),
          settings.outageMs,
        ),
        async after(_pipeline, load) {
          const refused = (load.statuses['503'] ?? 0) + (load.statuses['error'] ?? 0);
          return {
            ok: (load.statuses['503'] ?? 0) > 0,
            notes: [
              `ingest answered 503 ${load.statuses['503'] ?? 0} times (${refused} refusals in all) while Kafka was down`,
            ],
          };
        },
      };
    case 'redis-outage':
      return outage(
        (p) => p.redis.stop(),
        (p) => p.redis.start(),
        settings.outageMs,
      );
    case 's3-outage':
      return outage(
        (p) => p.s3Proxy.down(),
        (p) => p.s3Proxy.up(),
        settings.outageMs,
      );
    case 'duplicates':
      return { copies: 5, inject: async () => performance.now() };
    case 'poison': {
      const poison = 500;
      return {
        poison,
        async inject(pipeline) {
          const producer = pipeline.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
          await producer.connect();
          const raw = topicNames(pipeline.namespace.topicPrefix).feedbackRaw;
          const messages = Array.from({ length: poison }, (_, i) => ({
            key: `poison-${i}`,
            value:
              i % 2 === 0 ? `not json ${i}` : JSON.stringify({ schema: 'feedback.raw.v1', feedbackId: i }),
          }));
          await producer.send({ topic: raw, acks: -1, messages });
          await producer.disconnect();
          return performance.now();
        },
      };
    }
    case 'rebalance':
      return {
        async inject(pipeline) {
          const extra = [await pipeline.addInstance('enrichment'), await pipeline.addInstance('aggregation')];
          await sleep(settings.loadMs / 4);
          for (const worker of extra) await worker.stop();
          return performance.now();
        },
      };
    case 'slow-loris':
      return slowLoris(settings);
    case 'hostile-input': {
      const hostile = hostileInput({ budgetMs: 10_000 });
      return {
        inject: (pipeline) => hostile.inject(pipeline),
        after: (pipeline) => hostile.after(pipeline),
        extraCounted: () => hostile.extraCounted(),
      };
    }
    case 'oversized-body':
      return {
        inject: async () => performance.now(),
        async after(pipeline) {
          const body = Buffer.alloc(16 * 1024 * 1024, 'a');
          let status: number | string;
          try {
            status = (
              await httpRequest(`${pipeline.ingestUrl}/v1/webhooks/generic`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body,
                timeoutMs: 15_000,
              })
            ).status;
          } catch (error) {
            status = `connection closed (${(error as Error).message})`;
          }
          const healthy =
            (await httpRequest(`${pipeline.ingestUrl}/healthz`).catch(() => ({ status: 0 }))).status === 200;
          return {
            ok: (status === 413 || typeof status === 'string') && healthy,
            notes: [`16 MiB body answered ${status}; ingest healthy afterwards: ${healthy}`],
          };
        },
      };
  }
}

function slowLoris(settings: DrillSettings): Fault {
  const sockets: net.Socket[] = [];
  let closedByServer = 0;
  return {
    async inject(pipeline) {
      const url = new URL(pipeline.ingestUrl);
      for (let i = 0; i < 200; i += 1) {
        const socket = net.connect(Number(url.port), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.on('close', () => {
          closedByServer += 1;
        });
        socket.write('POST /v1/webhooks/generic HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        sockets.push(socket);
      }
      const until = performance.now() + settings.loadMs / 2;
      while (performance.now() < until) {
        for (const socket of sockets) if (!socket.destroyed) socket.write('X-a: b\r\n');
        await sleep(1_000);
      }
      return performance.now();
    },
    async after() {
      const open = sockets.filter((s) => !s.destroyed).length;
      for (const socket of sockets) socket.destroy();
      return {
        ok: true,
        notes: [
          `200 slow clients: ${closedByServer} closed by ingest during the drill, ${open} still open; normal traffic was served meanwhile`,
        ],
      };
    },
  };
}

export async function runDrill(
  name: DrillName,
  stack: StackEndpoints,
  workDir: string,
  settings: DrillSettings,
  log: (line: string) => void = () => undefined,
): Promise<DrillLine> {
  const fault = faultFor(name, settings);
  await fault.ready?.(stack);
  const copies = fault.copies ?? 1;
  const namespace = newNamespace(`drill-${name}`);
  const pipeline = await startPipeline({ stack, namespace, workDir: `${workDir}/${name}` });
  const notes: string[] = [];
  try {
    log(`${name}: load ${settings.rate}/s for ${settings.loadMs} ms`);
    const eventOf = (i: number) => Math.floor(i / copies);
    const loading = runLoad({
      url: `${pipeline.ingestUrl}/v1/webhooks/generic`,
      ratePerSecond: settings.rate,
      durationMs: settings.loadMs,
      maxEvents: Math.ceil((settings.rate * settings.loadMs) / 1000) + 1,
      retry: { untilMs: settings.loadMs + settings.outageMs + 60_000, maxDelayMs: 1_000 },
      request: (i) => {
        const id = `${namespace.id}-${eventOf(i)}`;
        return signedRequest(
          pipeline.webhookSecret,
          id,
          JSON.stringify(genericFeedback(namespace.id, eventOf(i))),
        );
      },
    });
    await sleep(settings.loadMs / 4);
    const injectedAt = performance.now();
    log(`${name}: fault`);
    const clearedAt = await fault.inject(pipeline);
    const load = await loading;
    const extra = fault.extraCounted?.() ?? 0;
    log(`${name}: load done (${load.acknowledged}/${load.sent} acknowledged); waiting for the count`);

    // Distinct events sent and acknowledged.
    const sentEvents = new Set<number>();
    const ackedEvents = new Set<number>();
    for (let i = 0; i < load.sent + load.missed; i += 1) {
      if (!Number.isNaN(load.dueAt[i]!)) sentEvents.add(eventOf(i));
      if (!Number.isNaN(load.ackAt[i]!)) ackedEvents.add(eventOf(i));
    }
    const ackedBeforeClear = new Set<number>();
    for (let i = 0; i < load.sent; i += 1) if (load.ackAt[i]! <= clearedAt) ackedBeforeClear.add(eventOf(i));

    let recoveryMs: number | null = null;
    let counted: number | undefined;
    const settleDeadline = performance.now() + settings.settleMs;
    let stableSince = performance.now();
    for (;;) {
      const now = performance.now();
      const count = await pipeline.overviewCount();
      if (count !== undefined) {
        if (recoveryMs === null && count >= ackedBeforeClear.size) recoveryMs = Math.max(0, now - clearedAt);
        if (count !== counted) stableSince = now;
        counted = count;
      }
      // Done when exact, or when nothing changed for 10 s, or at the deadline.
      if (counted === ackedEvents.size + extra && now - stableSince > 2_000) break;
      if (counted !== undefined && counted >= ackedEvents.size + extra && now - stableSince > 10_000) break;
      if (now > settleDeadline) break;
      await sleep(200);
    }
    const after = fault.after ? await fault.after(pipeline, load) : { ok: true, notes: [] };
    notes.push(...after.notes);
    const admin = pipeline.kafka.admin();
    await admin.connect();
    const dlq = await topicRecordCount(admin, topicNames(namespace.topicPrefix).dlq).catch(() => 0);
    await admin.disconnect();
    const lost = counted === undefined ? null : Math.max(0, ackedEvents.size + extra - counted);
    const doubleCounted = counted === undefined ? null : Math.max(0, counted - sentEvents.size - extra);
    if (counted === undefined) notes.push('the query API never answered with a count');
    if (fault.poison !== undefined) {
      notes.push(`${fault.poison} poison records produced into the raw topic; DLQ holds ${dlq}`);
      if (dlq < fault.poison) after.ok = false;
    }
    if (extra > 0) notes.push(`${extra} items of the fault itself acknowledged and expected in the count`);
    if (ackedEvents.size < sentEvents.size)
      notes.push(`${sentEvents.size - ackedEvents.size} events never acknowledged (the client gave up)`);
    notes.push(
      `fault lasted ${Math.round(clearedAt - injectedAt)} ms; HTTP answers ${JSON.stringify(load.statuses)}`,
    );
    const line: DrillLine = {
      name,
      passed: lost === 0 && doubleCounted === 0 && after.ok,
      sent: sentEvents.size,
      acknowledged: ackedEvents.size,
      counted: counted ?? null,
      lost,
      doubleCounted,
      dlq,
      recoveryMs,
      notes,
    };
    log(
      `${name}: ${line.passed ? 'passed' : 'FAILED'} sent ${line.sent} acked ${line.acknowledged} counted ${line.counted} dlq ${dlq}`,
    );
    return line;
  } finally {
    await pipeline.close();
  }
}

export async function runDrills(
  names: readonly DrillName[],
  stack: StackEndpoints,
  workDir: string,
  settings: DrillSettings,
  log?: (line: string) => void,
): Promise<DrillLine[]> {
  const lines: DrillLine[] = [];
  for (const name of names) {
    try {
      lines.push(await runDrill(name, stack, workDir, settings, log));
    } catch (error) {
      lines.push({
        name,
        passed: false,
        sent: 0,
        acknowledged: 0,
        counted: null,
        lost: null,
        doubleCounted: null,
        dlq: 0,
        recoveryMs: null,
        notes: [`could not run: ${(error as Error).message.split('\n')[0]}`],
      });
    }
  }
  return lines;
}
