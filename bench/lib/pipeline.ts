/**
 * The whole pipeline as separate processes (`node services/<name>/src/main.ts`), isolated by its own
 * topic prefix, Redis key prefix and S3 prefix, with a throwaway Redis and an S3 fault proxy.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, ensureTopics } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import type { Kafka } from 'kafkajs';
import { httpRequest } from './load-generator.ts';
import { freePort, PROJECT_ROOT, type Supervised, supervise } from './processes.ts';
import { startThrowawayRedis, type ThrowawayRedis } from './redis-server.ts';
import { type FaultProxy, startFaultProxy } from './tcp-proxy.ts';
import { newWebhookSecret } from './webhook.ts';

export type WorkerName = 'ingest' | 'enrichment' | 'aggregation' | 'api';
export const WORKERS: readonly WorkerName[] = ['ingest', 'enrichment', 'aggregation', 'api'];

export interface StackEndpoints {
  readonly kafkaBrokers: readonly string[];
  readonly s3: {
    readonly endpoint: string;
    readonly bucket: string;
    readonly region: string;
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
  };
}

export interface Namespace {
  readonly id: string;
  readonly topicPrefix: string;
  readonly redisKeyPrefix: string;
  readonly s3Prefix: string;
}

/** A fresh namespace: every topic, key and object of a run lives under it. */
export function newNamespace(label: string): Namespace {
  const id = `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  return { id, topicPrefix: `${id}.`, redisKeyPrefix: id, s3Prefix: `bench/${id}` };
}

export function serviceScript(name: WorkerName): string {
  return join(PROJECT_ROOT, 'services', name, 'src', 'main.ts');
}

/** Which services have a runnable entry point yet. */
export function missingServices(names: readonly WorkerName[] = WORKERS): WorkerName[] {
  return names.filter((name) => !existsSync(serviceScript(name)));
}

export function benchKafka(brokers: readonly string[]): Kafka {
  return createKafka({
    brokers,
    clientId: 'vocflow-bench',
    logger: createLogger({ service: 'bench', level: 'error' }),
  });
}

export interface PipelineOptions {
  readonly stack: StackEndpoints;
  readonly namespace: Namespace;
  readonly workDir: string;
  /** Which services to run (default all four). */
  readonly services?: readonly WorkerName[];
  /** Extra environment for every service. */
  readonly env?: Readonly<Record<string, string>>;
  readonly numPartitions?: number;
  /** Start every service with the V8 inspector on a free loopback port (for CPU profiles). */
  readonly inspect?: boolean;
}

export interface Pipeline {
  readonly namespace: Namespace;
  readonly kafka: Kafka;
  readonly redis: ThrowawayRedis;
  readonly s3Proxy: FaultProxy;
  readonly webhookSecret: string;
  readonly apiKey: string;
  readonly ingestUrl: string;
  readonly apiUrl: string;
  /** Every instance, by worker name; index 0 is the first. */
  readonly instances: ReadonlyMap<WorkerName, Supervised[]>;
  /** The API's overview count, or undefined when the API did not answer. */
  overviewCount(): Promise<number | undefined>;
  /** Starts one more instance of a worker in the same consumer group. */
  addInstance(name: Exclude<WorkerName, 'ingest' | 'api'>): Promise<Supervised>;
  /** Every process that ran (for CPU and memory). */
  processes(): readonly Supervised[];
  /** Where an instance (by its name: `ingest`, `enrichment-2`, …) serves /healthz, /readyz and /metrics. */
  opsUrl(instance: string): string | undefined;
  /** The instance's inspector port when the pipeline was started with `inspect`. */
  inspectorPort(instance: string): number | undefined;
  close(): Promise<void>;
}

/** Finds the first numeric `count` in the overview answer (`{totals: {counts: {count}}}`, or shallower). */
export function extractCount(json: unknown, depth = 0): number | undefined {
  if (json === null || typeof json !== 'object' || depth > 3) return undefined;
  const record = json as Record<string, unknown>;
  for (const key of ['count', 'total', 'responses']) {
    if (typeof record[key] === 'number') return record[key] as number;
  }
  for (const key of ['totals', 'counts', 'overview', 'data']) {
    const found = extractCount(record[key], depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const services = options.services ?? WORKERS;
  const missing = missingServices(services);
  if (missing.length > 0) {
    throw new Error(`services not runnable yet (no services/<name>/src/main.ts): ${missing.join(', ')}`);
  }
  mkdirSync(options.workDir, { recursive: true });
  const { namespace, stack } = options;
  const kafka = benchKafka(stack.kafkaBrokers);
  await ensureTopics(kafka, {
    prefix: namespace.topicPrefix,
    ...(options.numPartitions ? { numPartitions: options.numPartitions } : {}),
  });
  const redis = await startThrowawayRedis(options.workDir);
  const s3Url = new URL(stack.s3.endpoint);
  const s3Proxy = await startFaultProxy(s3Url.hostname, Number(s3Url.port || 80));
  const webhookSecret = newWebhookSecret();
  const apiKey = `bench-${randomBytes(12).toString('hex')}`;
  const ports = { ingest: await freePort(), api: await freePort() };

  const baseEnv: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    VOCFLOW_TOPIC_PREFIX: namespace.topicPrefix,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: namespace.redisKeyPrefix,
    S3_ENDPOINT: `http://127.0.0.1:${s3Proxy.port}`,
    S3_BUCKET: stack.s3.bucket,
    S3_REGION: stack.s3.region,
    S3_ACCESS_KEY_ID: stack.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: stack.s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    S3_PREFIX: namespace.s3Prefix,
    INGEST_PORT: String(ports.ingest),
    INGEST_HOST: '127.0.0.1',
    API_HOST: '127.0.0.1',
    API_PORT: String(ports.api),
    WEBHOOK_SECRET_GENERIC: webhookSecret,
    // One key in both scoped lists: the load generator writes with it and reads the query API.
    INGEST_API_KEYS: apiKey,
    QUERY_API_KEYS: apiKey,
    // The load generator is one client posting as one source: the per-source limit would measure itself.
    INGEST_RATE_LIMIT_PER_SOURCE: '0',
    ...options.env,
  };
  const instances = new Map<WorkerName, Supervised[]>();
  const all: Supervised[] = [];
  const opsPorts = new Map<string, number>();
  const inspectorPorts = new Map<string, number>();

  const spawnWorker = async (name: WorkerName): Promise<Supervised> => {
    const list = instances.get(name) ?? [];
    instances.set(name, list);
    const opsPort = name === 'ingest' ? ports.ingest : name === 'api' ? ports.api : await freePort();
    const env = { ...baseEnv };
    if (name === 'enrichment') env['ENRICHMENT_OPS_PORT'] = String(opsPort);
    if (name === 'aggregation') env['AGGREGATION_OPS_PORT'] = String(opsPort);
    const instance = list.length === 0 ? name : `${name}-${list.length + 1}`;
    opsPorts.set(instance, opsPort);
    const inspector = options.inspect ? await freePort() : undefined;
    if (inspector !== undefined) inspectorPorts.set(instance, inspector);
    const worker = supervise({
      name: instance,
      command: process.execPath,
      args: [...(inspector === undefined ? [] : [`--inspect=127.0.0.1:${inspector}`]), serviceScript(name)],
      env,
      ready: async () =>
        (await httpRequest(`http://127.0.0.1:${opsPort}/readyz`, { timeoutMs: 1_000 })).status === 200,
      readyTimeoutMs: 60_000,
      logDir: options.workDir,
    });
    list.push(worker);
    all.push(worker);
    await worker.start();
    return worker;
  };

  const started: Promise<Supervised>[] = services.map((name) => spawnWorker(name));
  const results = await Promise.allSettled(started);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');

  const pipeline: Pipeline = {
    namespace,
    kafka,
    redis,
    s3Proxy,
    webhookSecret,
    apiKey,
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    instances,
    async overviewCount() {
      try {
        const answer = await httpRequest(`http://127.0.0.1:${ports.api}/v1/overview`, {
          headers: { authorization: `Bearer ${apiKey}` },
          timeoutMs: 2_000,
        });
        if (answer.status !== 200) return undefined;
        return extractCount(JSON.parse(answer.body));
      } catch {
        return undefined;
      }
    },
    addInstance: (name) => spawnWorker(name),
    processes: () => all,
    opsUrl: (instance) => {
      const port = opsPorts.get(instance);
      return port === undefined ? undefined : `http://127.0.0.1:${port}`;
    },
    inspectorPort: (instance) => inspectorPorts.get(instance),
    async close() {
      // Stop intake first, then the consumers, then the readers.
      for (const name of ['ingest', 'enrichment', 'aggregation', 'api'] as const) {
        await Promise.all((instances.get(name) ?? []).map((w) => w.stop(15_000)));
      }
      await redis.stop();
      await s3Proxy.close();
      await deleteNamespaceTopics(kafka, namespace.topicPrefix);
    },
  };
  if (failed) {
    await pipeline.close().catch(() => undefined);
    throw failed.reason;
  }
  return pipeline;
}

/** Deletes every topic of a namespace (best effort; the broker may refuse while it is down). */
export async function deleteNamespaceTopics(kafka: Kafka, prefix: string): Promise<void> {
  if (prefix.length < 4) return;
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
