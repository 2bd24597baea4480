import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { canBind } from './ports.ts';
import { createS3Client } from './s3-client.ts';
import {
  type StackOptions,
  type StackUpResult,
  stackDown,
  stackStatus,
  stackUp,
  startService,
  stopService,
  stopStarted,
} from './stack.ts';

// A second, private stack on free ports and its own state folder, so the shared stack the other
// integration tests use is never disturbed, and two runs on one machine do not collide.
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const stateDir = mkdtempSync(join(tmpdir(), 'vocflow-stack-int-'));
const ports = {
  kafka: await freePort(),
  kafkaController: await freePort(),
  s3: await freePort(),
  redis: await freePort(),
};
const options: StackOptions = { runtime: 'local', stateDir, ports, bucket: 'stack-int', timeoutMs: 90_000 };

describe('local stack', () => {
  let first: StackUpResult | undefined;
  afterAll(async () => {
    await stackDown(options).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  it('starts Kafka, S3Proxy and Redis from nothing and reports them ready', async () => {
    const result = await stackUp(options);
    first = result;
    expect(result.runtime).toBe('local');
    expect(result.services).toEqual({ kafka: 'started', s3: 'started', redis: 'started' });
    const status = await stackStatus(options);
    expect(status.ready).toBe(true);
    expect(status.services.map((service) => service.owner)).toEqual(['stack', 'stack', 'stack']);
  }, 180_000);

  it('stores, lists and returns objects byte for byte through the shared S3 client', async () => {
    const { settings } = await stackUp(options);
    const s3 = createS3Client(settings.s3);
    const body = '{"a":1}\n{"b":2}\n';
    for (const key of ['p/one.ndjson', 'p/two.ndjson']) {
      await s3.send(new PutObjectCommand({ Bucket: settings.s3.bucket, Key: key, Body: body }));
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: settings.s3.bucket, Key: 'p/one.ndjson' }));
    expect(await object.Body?.transformToString()).toBe(body);
    const first = await s3.send(
      new ListObjectsV2Command({ Bucket: settings.s3.bucket, Prefix: 'p/', MaxKeys: 1 }),
    );
    expect(first.Contents?.map((item) => item.Key)).toEqual(['p/one.ndjson']);
    const second = await s3.send(
      new ListObjectsV2Command({
        Bucket: settings.s3.bucket,
        Prefix: 'p/',
        MaxKeys: 1,
        ContinuationToken: first.NextContinuationToken,
      }),
    );
    expect(second.Contents?.map((item) => item.Key)).toEqual(['p/two.ndjson']);
    s3.destroy();
  }, 60_000);

  it('reuses a running stack instead of starting a second one, and leaves it up when that run ends', async () => {
    const result = await stackUp(options);
    expect(result.services).toEqual({ kafka: 'reused', s3: 'reused', redis: 'reused' });
    expect(await stopStarted(result, options)).toEqual({});
    expect((await stackStatus(options)).ready).toBe(true);
  }, 60_000);

  it('stops and restarts a single service for fault drills', async () => {
    expect(await stopService('kafka', options)).toBe('stopped');
    const down = await stackStatus(options);
    expect(down.services.find((service) => service.name === 'kafka')?.ready).toBe(false);
    expect(down.services.find((service) => service.name === 's3')?.ready).toBe(true);
    expect(await startService('kafka', options)).toBe('started');
    expect((await stackStatus(options)).ready).toBe(true);
  }, 180_000);

  it('refuses a port held by a program that is not the service', async () => {
    const sockets = new Set<Socket>();
    const stranger: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.end('hello\r\n');
    });
    const strangerPort = await freePort();
    await new Promise<void>((resolve) => stranger.listen({ host: '127.0.0.1', port: strangerPort }, resolve));
    // Its own state folder: this stack's S3Proxy (on another port) must not count as the owner.
    const elsewhere = mkdtempSync(join(tmpdir(), 'vocflow-stack-int-'));
    try {
      await expect(
        startService('s3', {
          ...options,
          stateDir: elsewhere,
          ports: { ...options.ports, s3: strangerPort },
        }),
      ).rejects.toThrow(/taken by another program that does not answer as s3/);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => stranger.close(() => resolve()));
    }
  }, 60_000);

  it('stops, at the end of the run that started them, the services it started, and frees the ports', async () => {
    expect(await stopStarted(first!, options)).toEqual({ kafka: 'stopped', s3: 'stopped', redis: 'stopped' });
    expect((await stackDown(options)).services).toEqual({
      kafka: 'not-running',
      s3: 'not-running',
      redis: 'not-running',
    });
    for (const port of Object.values(ports)) expect(await canBind('127.0.0.1', port)).toBe(true);
  }, 120_000);
});
