/** Readiness probes: each answers "does this service really work" without throwing. */
import { CreateBucketCommand, HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { createS3Client } from './s3-client.ts';
import type { S3Settings } from './settings.ts';

export interface ProbeResult {
  readonly ready: boolean;
  readonly detail?: string;
}

function failure(error: unknown): ProbeResult {
  return { ready: false, detail: error instanceof Error ? error.message : String(error) };
}

/** Kafka is ready when the cluster has a controller and the broker lists its topics. */
export async function probeKafka(brokers: readonly string[], timeoutMs = 5000): Promise<ProbeResult> {
  const kafka = new Kafka({
    clientId: 'vocflow-stack-probe',
    brokers: [...brokers],
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.controller === null || cluster.controller < 0)
      return { ready: false, detail: 'no controller' };
    await admin.listTopics();
    return { ready: true, detail: `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)` };
  } catch (error) {
    return failure(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** S3 is ready when ListBuckets answers. */
export async function probeS3(settings: S3Settings): Promise<ProbeResult> {
  const client = createS3Client(settings);
  try {
    const result = await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(5000) });
    return { ready: true, detail: `${result.Buckets?.length ?? 0} bucket(s)` };
  } catch (error) {
    return failure(error);
  } finally {
    client.destroy();
  }
}

/** Creates the bucket unless it exists. */
export async function ensureBucket(settings: S3Settings): Promise<'created' | 'existed'> {
  const client = createS3Client(settings);
  try {
    try {
      await client.send(new HeadBucketCommand({ Bucket: settings.bucket }));
      return 'existed';
    } catch {
      // Not there (or not visible yet): create it below.
    }
    try {
      await client.send(new CreateBucketCommand({ Bucket: settings.bucket }));
      return 'created';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return 'existed';
      throw error;
    }
  } finally {
    client.destroy();
  }
}

/** Redis is ready when PING answers PONG. */
export async function probeRedis(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const answer = await redis.ping();
    return answer === 'PONG' ? { ready: true } : { ready: false, detail: `PING answered ${answer}` };
  } catch (error) {
    return failure(error);
  } finally {
    redis.disconnect();
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Checked between attempts: a process that died will never become ready, so stop waiting. */
  readonly stillRunning?: () => boolean;
}

/** Polls `probe` until it reports ready; the last result otherwise (timed out or process gone). */
export async function waitUntilReady(
  probe: () => Promise<ProbeResult>,
  options: WaitOptions,
): Promise<ProbeResult & { readonly reason?: 'timeout' | 'exited' }> {
  const deadline = Date.now() + options.timeoutMs;
  let last: ProbeResult = { ready: false, detail: 'not probed' };
  for (;;) {
    last = await probe();
    if (last.ready) return last;
    if (options.stillRunning && !options.stillRunning()) return { ...last, reason: 'exited' };
    if (Date.now() >= deadline) return { ...last, reason: 'timeout' };
    await sleep(options.intervalMs ?? 500);
  }
}
