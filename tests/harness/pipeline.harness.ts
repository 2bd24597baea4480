import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { signStandardWebhooks } from '@vocflow/sources';
import type { StackSettings } from '@vocflow/stack';
import { createS3Client, settingsToEnv } from '@vocflow/stack';
import { cleanupNamespace, createTopicsFor, stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';

/**
 * Runs the four services as real child processes (`node services/<name>/src/main.ts`) against the
 * test stack, isolated by a namespace used as topic prefix, Redis key prefix and S3 prefix.
 */

export type ServiceName = 'ingest' | 'enrichment' | 'aggregation' | 'api';
const ALL: readonly ServiceName[] = ['ingest', 'enrichment', 'aggregation', 'api'];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The secrets SIGNATURES.md computed the fixtures' signatures with. */
export const FIXTURE_SECRETS = {
  WEBHOOK_SECRET_TYPEFORM: 'typeform-test-secret',
  WEBHOOK_SECRET_TALLY: 'tally-test-secret',
  WEBHOOK_SECRET_DELIGHTED: 'delighted-test-api-key',
  WEBHOOK_SECRET_FORMBRICKS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  WEBHOOK_SECRET_GENERIC: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  WEBHOOK_SECRET_QUALTRICS: 'qualtrics-shared-key',
  WEBHOOK_SECRET_ZENDESK: 'zendesk-test-secret',
  WEBHOOK_SECRET_JOTFORM: 'jotform-e2e-url-token-0123456789',
} as const;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (done(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last value ${JSON.stringify(last)?.slice(0, 800)}${lastError ? `; last error ${(lastError as Error).message}` : ''}`,
  );
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  log: string[];
}

export interface Pipeline {
  readonly namespace: string;
  readonly stack: StackSettings;
  readonly env: Record<string, string>;
  readonly apiKey: string;
  readonly ingestUrl: string;
  readonly apiUrl: string;
  readonly ports: Record<ServiceName, number>;
  /** Starts a service (again) and waits until its /readyz answers 200. */
  start(name: ServiceName): Promise<void>;
  /** Sends a signal (SIGKILL: a crash) and waits for the process to end. */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  logs(name: ServiceName): string;
  /** POST to ingest. */
  post(
    path: string,
    body: string | Buffer,
    headers: Record<string, string>,
  ): Promise<{ status: number; json: unknown }>;
  /** GET from the query API with the API key. */
  api<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T; headers: Headers }>;
  /** S3 keys under the test's prefix starting with `under`. */
  s3Keys(under: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface PipelineOptions {
  readonly name: string;
  readonly services?: readonly ServiceName[];
  readonly partitions?: number;
  /** The mappings file contents (VOCFLOW_MAPPINGS). */
  readonly mappings?: unknown;
  readonly env?: Record<string, string>;
}

export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const stack = stackSettings();
  const namespace = testNamespace(options.name);
  await createTopicsFor(namespace, stack.kafkaBrokers, { numPartitions: options.partitions ?? 3 });
  const ports = {
    ingest: await freePort(),
    enrichment: await freePort(),
    aggregation: await freePort(),
    api: await freePort(),
  };
  const work = mkdtempSync(join(tmpdir(), 'vocflow-e2e-'));
  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
    ...settingsToEnv(stack),
    VOCFLOW_TOPIC_PREFIX: namespace,
    REDIS_KEY_PREFIX: namespace,
    S3_PREFIX: namespace,
    INGEST_PORT: String(ports.ingest),
    API_PORT: String(ports.api),
    ENRICHMENT_OPS_PORT: String(ports.enrichment),
    AGGREGATION_OPS_PORT: String(ports.aggregation),
    // One key in both scoped lists: it writes (ingest) and reads (query API, dashboard).
    INGEST_API_KEYS: 'e2e-api-key',
    QUERY_API_KEYS: 'e2e-api-key',
    ...FIXTURE_SECRETS,
    ...options.env,
  };
  if (options.mappings !== undefined) {
    const file = join(work, 'mappings.json');
    writeFileSync(file, JSON.stringify(options.mappings));
    env['VOCFLOW_MAPPINGS'] = file;
  }
  const running = new Map<ServiceName, Running>();
  const allLogs = new Map<ServiceName, string[]>();

  const start = async (name: ServiceName) => {
    const log = allLogs.get(name) ?? [];
    allLogs.set(name, log);
    const child = spawn(process.execPath, [join(ROOT, 'services', name, 'src', 'main.ts')], {
      env,
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    running.set(name, { child, exited, log });
    await waitUntil(
      `${name} /readyz`,
      async () => {
        if (child.exitCode !== null)
          throw new Error(`${name} exited with ${child.exitCode}:\n${log.join('').slice(-3000)}`);
        return (await fetch(`http://127.0.0.1:${ports[name]}/readyz`, { signal: AbortSignal.timeout(2_000) }))
          .status;
      },
      (status) => status === 200,
      60_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${name} log ---\n${log.join('').slice(-4000)}`);
    });
  };

  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGTERM') => {
    const r = running.get(name);
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill(signal);
    await r.exited;
  };

  const services = options.services ?? ALL;
  // Consumers first, so nothing waits on a rebalance once traffic starts; ingest and api last.
  for (const name of ALL.filter((n) => services.includes(n))) await start(name);

  const s3 = createS3Client(stack.s3);
  const pipeline: Pipeline = {
    namespace,
    stack,
    env,
    apiKey: env['INGEST_API_KEYS']!,
    ingestUrl: `http://127.0.0.1:${ports.ingest}`,
    apiUrl: `http://127.0.0.1:${ports.api}`,
    ports,
    start,
    kill,
    logs: (name) => (allLogs.get(name) ?? []).join(''),
    async post(path, body, headers) {
      const response = await fetch(`${pipeline.ingestUrl}${path}`, {
        method: 'POST',
        headers,
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
      const text = await response.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, json };
    },
    async api(path) {
      const response = await fetch(`${pipeline.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${pipeline.apiKey}` },
      });
      const body = response.status === 304 ? {} : await response.json();
      return { status: response.status, body: body as never, headers: response.headers };
    },
    async s3Keys(under) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: stack.s3.bucket,
            Prefix: `${namespace}/${under}`,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return keys;
    },
    async close() {
      for (const name of ['ingest', 'api', 'enrichment', 'aggregation'] as const) await kill(name, 'SIGTERM');
      s3.destroy();
      await cleanupNamespace(namespace, stack).catch(() => undefined);
      await deleteShardedKeys(stack.redisUrl, namespace).catch(() => undefined);
    },
  };
  return pipeline;
}

/** Rollup keys start with their shard's hash tag (`{<prefix>:s07}…`), which a `<prefix>*` sweep misses. */
async function deleteShardedKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(
        cursor,
        'MATCH',
        `{${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
        'COUNT',
        1000,
      );
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Standard Webhooks headers for `body`, signed now (the fixtures' own timestamps are long expired). */
export function standardWebhooksHeaders(
  secret: string,
  id: string,
  body: string | Buffer,
): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandardWebhooks(secret, id, timestamp, body),
  };
}

export function artifactsDir(): string {
  const dir = join(ROOT, 'tests', 'artifacts');
  mkdirSync(dir, { recursive: true });
  return dir;
}
