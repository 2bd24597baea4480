import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { createRedis } from '@vocflow/clients';
import { stackSettings } from '@vocflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { redisReady } from './rebuild-rollups.command.ts';

const settings = stackSettings();

/**
 * A TCP proxy in front of the shared Redis that we control: while paused it accepts connections and
 * says nothing (a Redis that is slow to come up); resumed, it forwards everything, held bytes included.
 */
async function pausableProxy(target: URL) {
  let paused = true;
  const held: { client: Socket; chunks: Buffer[] }[] = [];
  const sockets: Socket[] = [];
  const forward = (client: Socket, chunks: Buffer[]) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port || 6379) });
    sockets.push(upstream);
    for (const chunk of chunks) upstream.write(chunk);
    client.removeAllListeners('data');
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
  const server: Server = createServer((client) => {
    sockets.push(client);
    if (!paused) return forward(client, []);
    const entry = { client, chunks: [] as Buffer[] };
    held.push(entry);
    client.on('data', (chunk: Buffer) => entry.chunks.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    resume() {
      paused = false;
      for (const { client, chunks } of held.splice(0)) forward(client, chunks);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('rebuild-rollups waits for Redis to be ready', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  });

  it('fails fast while Redis does not answer, then works once redisReady resolves', async () => {
    const proxy = await pausableProxy(new URL(settings.redisUrl));
    cleanups.push(() => proxy.close());
    const redis = createRedis(
      { url: proxy.url, keyPrefix: 'vf-rebuild-test', cluster: false, commandTimeoutMs: 5_000 },
      { name: 'rebuild-ready-test' },
    );
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());

    // What made 4 of 19 runs fail: a command sent before the connection is ready is refused at once.
    await expect(redis.ping()).rejects.toThrow("Stream isn't writeable");

    const ready = redisReady(redis, 30, proxy.url);
    proxy.resume();
    await ready;
    expect(await redis.ping()).toBe('PONG');
  });

  it('gives up after the stated time with an error that names the option and hides the password', async () => {
    const proxy = await pausableProxy(new URL(settings.redisUrl));
    cleanups.push(() => proxy.close());
    const url = proxy.url.replace('redis://', 'redis://:s3cret@');
    const redis = createRedis(
      { url, keyPrefix: 'vf-rebuild-test', cluster: false, commandTimeoutMs: 5_000 },
      { name: 'rebuild-ready-test' },
    );
    redis.on('error', () => undefined);
    cleanups.push(async () => redis.disconnect());
    const error = await redisReady(redis, 0.2, url).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('was not ready within 0.2 s (--redis-timeout)');
    expect((error as Error).message).not.toContain('s3cret');
  });
});
