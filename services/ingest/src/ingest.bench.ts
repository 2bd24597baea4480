import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { topicNames } from '@vocflow/contracts';
import { createKafka, ensureTopics } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { signStandardWebhooks } from '@vocflow/sources';
import { CompressionTypes } from 'kafkajs';
import { start } from './main.ts';

export interface IngestBenchOptions {
  readonly kafkaBrokers: readonly string[];
  readonly seconds: number;
  readonly connections: number;
}

export interface IngestBenchResult {
  /** Signed generic webhooks answered 202 (after Kafka acks=all) per second. */
  readonly requestsPerSecond: number;
  /** A bare node:http POST handler (reads the body, answers 202) under the same load. */
  readonly bareHttpRequestsPerSecond: number;
  readonly ratioToBareHttp: number;
  /** kafkajs producing the same records directly (acks=all, batches of 100, `connections` in flight). */
  readonly rawProduceRecordsPerSecond: number;
  /** CPU time of the ingest thread (HTTP, signature, validation, Kafka client) per accepted request. */
  readonly cpuMicrosPerRequest: number;
  readonly bareHttpCpuMicrosPerRequest: number;
  /** Requests not answered 202 during the ingest run. */
  readonly ingestErrors: number;
}

interface LoadRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The load generator runs in a worker thread so the service's thread CPU is measured alone. */
const LOAD_WORKER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const { url, requests, seconds, connections } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const target = new URL(url);
let ok = 0, other = 0, i = 0;
const deadline = Date.now() + seconds * 1000;
function once() {
  const r = requests[i++ % requests.length];
  return new Promise((resolve) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST',
      headers: { ...r.headers, 'content-length': Buffer.byteLength(r.body) } }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 202) ok++; else other++; resolve(); });
    });
    req.on('error', () => { other++; resolve(); });
    req.end(r.body);
  });
}
async function loop() { while (Date.now() < deadline) await once(); }
const started = Date.now();
Promise.all(Array.from({ length: connections }, loop)).then(() => {
  agent.destroy();
  parentPort.postMessage({ ok, other, ms: Date.now() - started });
});
`;

function runLoad(url: string, requests: readonly LoadRequest[], seconds: number, connections: number) {
  return new Promise<{ ok: number; other: number; ms: number }>((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, {
      eval: true,
      workerData: { url, requests, seconds, connections },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

/** CPU of this thread when Node can tell (24+), else of the process. */
const cpuMicros = (): number => {
  const usage =
    (process as unknown as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ??
    process.cpuUsage();
  return usage.user + usage.system;
};

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

function genericRequests(count: number): LoadRequest[] {
  const ts = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const body = JSON.stringify({
      id: `bench-${i}-${randomBytes(4).toString('hex')}`,
      kind: 'survey_response',
      occurredAt: new Date().toISOString(),
      customer: { id: `cus_${i % 997}` },
      scores: { nps: i % 11 },
      text: 'Support answered quickly but the invoice was wrong again.',
    });
    const id = `msg_${i}`;
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': signStandardWebhooks(SECRET, id, ts, body),
      },
    };
  });
}

/**
 * Ingest throughput with signature checks and Kafka acknowledgements, beside a bare node:http POST
 * handler and raw kafkajs produce on the same broker, in one run on loopback.
 */
export async function benchIngest(options: IngestBenchOptions): Promise<IngestBenchResult> {
  const logger = createLogger({ service: 'ingest-bench', level: 'warn' });
  const prefix = `bench-ingest-${randomBytes(4).toString('hex')}.`;
  const kafka = createKafka({ brokers: options.kafkaBrokers, clientId: 'ingest-bench', logger });
  await ensureTopics(kafka, { prefix, only: ['feedback.raw.v1'], numPartitions: 3 });
  const requests = genericRequests(2_000);

  // 1. Bare node:http: read the body, answer 202.
  const bare = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () =>
      res.writeHead(202, { 'content-type': 'application/json' }).end('{"status":"accepted"}'),
    );
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  let cpu = cpuMicros();
  const bareRun = await runLoad(
    `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`,
    requests,
    options.seconds,
    options.connections,
  );
  const bareCpu = cpuMicros() - cpu;
  await new Promise<void>((r) => bare.close(() => r()));

  // 2. The ingest service, in this thread, against the real broker.
  const ingest = await start(
    {
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      VOCFLOW_TOPIC_PREFIX: prefix,
      INGEST_PORT: '0',
      INGEST_HOST: '127.0.0.1',
      INGEST_RATE_LIMIT_PER_SOURCE: '0',
      WEBHOOK_SECRET_GENERIC: SECRET,
      LOG_LEVEL: 'warn',
    },
    { logger },
  );
  await ingest.producer.connect();
  await runLoad(`${ingest.url}/v1/webhooks/generic`, requests.slice(0, 50), 1, 4); // warm-up
  cpu = cpuMicros();
  const ingestRun = await runLoad(
    `${ingest.url}/v1/webhooks/generic`,
    requests,
    options.seconds,
    options.connections,
  );
  const ingestCpu = cpuMicros() - cpu;
  await ingest.close();

  // 3. Raw kafkajs produce of the same records (acks=all), `connections` batches in flight.
  const producer = kafka.producer({
    idempotent: false,
    maxInFlightRequests: options.connections,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const topic = topicNames(prefix).feedbackRaw;
  const deadline = Date.now() + options.seconds * 1000;
  let produced = 0;
  const producedStart = Date.now();
  await Promise.all(
    Array.from({ length: options.connections }, async (_, lane) => {
      let i = lane * 100;
      while (Date.now() < deadline) {
        const messages = Array.from({ length: 100 }, () => {
          const r = requests[i++ % requests.length]!;
          return { key: `id:cus_${i % 997}`, value: r.body };
        });
        await producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages });
        produced += messages.length;
      }
    }),
  );
  const producedMs = Date.now() - producedStart;
  await producer.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();

  const requestsPerSecond = (ingestRun.ok / ingestRun.ms) * 1000;
  const bareHttpRequestsPerSecond = (bareRun.ok / bareRun.ms) * 1000;
  return {
    requestsPerSecond: Math.round(requestsPerSecond),
    bareHttpRequestsPerSecond: Math.round(bareHttpRequestsPerSecond),
    ratioToBareHttp: Math.round((requestsPerSecond / bareHttpRequestsPerSecond) * 1000) / 1000,
    rawProduceRecordsPerSecond: Math.round((produced / producedMs) * 1000),
    cpuMicrosPerRequest: Math.round(ingestCpu / Math.max(1, ingestRun.ok)),
    bareHttpCpuMicrosPerRequest: Math.round(bareCpu / Math.max(1, bareRun.ok)),
    ingestErrors: ingestRun.other,
  };
}

if (import.meta.main) {
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 5);
  const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
  const kafkaBrokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092').split(',');
  const result = await benchIngest({ kafkaBrokers, seconds, connections });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
