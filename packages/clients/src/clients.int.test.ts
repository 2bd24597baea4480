import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from './index.ts';

/** A server that answers the connection handshake, then stops answering: a Redis that hangs. */
describe('createRedis against a hung server', () => {
  let server: Server;
  const sockets: Socket[] = [];
  let port = 0;
  let hung = false;
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => {
        if (hung) return;
        const info = '# Server\r\nloading:0\r\n';
        socket.write(/info/i.test(data.toString()) ? `$${info.length}\r\n${info}\r\n` : '+OK\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails a command after the command timeout instead of waiting forever', async () => {
    const redis = createRedis({
      url: `redis://127.0.0.1:${port}`,
      keyPrefix: 't',
      cluster: false,
      commandTimeoutMs: 300,
    });
    redis.on('error', () => undefined);
    try {
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
      hung = true;
      await expect(redis.get('k')).rejects.toThrow(/timed out/i);
    } finally {
      redis.disconnect();
    }
  });
});
