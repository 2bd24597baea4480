import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis } from './index.ts';

/** What the client's connection check (INFO) needs to hear to call the server ready. */
const INFO_REPLY = (() => {
  const info = '# Server\r\nloading:0\r\n';
  return `$${info.length}\r\n${info}\r\n`;
})();

/** A loopback server on a free port whose connections `serve` answers; `close` cuts them all. */
async function scriptedServer(
  serve: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    serve(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A client of the scripted server on `port`, once it is ready. */
async function readyClient(port: number, commandTimeoutMs: number) {
  const redis = createRedis({
    url: `redis://127.0.0.1:${port}`,
    keyPrefix: 't',
    cluster: false,
    commandTimeoutMs,
  });
  redis.on('error', () => undefined);
  await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  return redis;
}

/** A server that answers the connection handshake, then stops answering: a Redis that hangs. */
describe('createRedis against a hung server', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let port = 0;
  let hung = false;
  beforeAll(async () => {
    server = await scriptedServer((socket) =>
      socket.on('data', (data) => {
        if (!hung) socket.write(/info/i.test(data.toString()) ? INFO_REPLY : '+OK\r\n');
      }),
    );
    port = server.port;
  });
  afterAll(() => server.close());

  it('fails a command after the command timeout instead of waiting forever', async () => {
    const redis = await readyClient(port, 300);
    try {
      hung = true;
      await expect(redis.get('k')).rejects.toThrow(/timed out/i);
    } finally {
      redis.disconnect();
    }
  });
});

/** The command names in a chunk of RESP the client sent (arrays of bulk strings). */
function commandNames(data: string): string[] {
  const names: string[] = [];
  const lines = data.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('*')) continue;
    const n = Number(lines[i]!.slice(1));
    names.push((lines[i + 2] ?? '').toUpperCase());
    i += 2 * n;
  }
  return names;
}

/**
 * A server that answers at once, except `SLOW`: its answer, and those after it (the order holds), wait
 * until the test releases them, as behind a long script in Redis. It tells the test each command it got.
 */
describe('createRedis with a slow command in flight', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>>;
  let port = 0;
  let release: () => void = () => undefined;
  let received: (name: string) => void = () => undefined;
  beforeAll(async () => {
    server = await scriptedServer((socket) => {
      const held: string[] = [];
      release = () => {
        socket.write(held.splice(0).join(''));
      };
      socket.on('data', (data) => {
        for (const name of commandNames(data.toString())) {
          const reply = name === 'INFO' ? INFO_REPLY : name === 'GET' ? '$1\r\nv\r\n' : '+OK\r\n';
          if (name === 'SLOW' || held.length > 0) held.push(reply);
          else socket.write(reply);
          received(name);
        }
      });
    });
    port = server.port;
  });
  afterAll(() => server.close());

  it('answers a command issued before it in the same turn, and sends one issued meanwhile at once', async () => {
    const redis = await readyClient(port, 30_000);
    try {
      let slowDone = false;
      const first = redis.get('k');
      const slow = redis.call('SLOW').then(() => {
        slowDone = true;
      });
      // Auto-pipelining would answer the GET only with its whole pipeline, once SLOW is done.
      await expect(first).resolves.toBe('v');
      expect(slowDone).toBe(false);
      // Auto-pipelining would keep this GET back until the pipeline in flight was answered.
      const arrived = new Promise<void>((resolve) => {
        received = (name) => {
          if (name === 'GET') resolve();
        };
      });
      const later = redis.get('k');
      await arrived;
      expect(slowDone).toBe(false);
      release();
      await slow;
      await expect(later).resolves.toBe('v');
    } finally {
      redis.disconnect();
    }
  });

  it('writes the commands issued in one synchronous stretch to the socket at once, and answers each as it comes', async () => {
    const redis = await readyClient(port, 30_000);
    try {
      // What reaches the socket's handle: one writev of all chunks, or one write per command.
      const socket = (redis as unknown as { stream: unknown }).stream as Record<
        '_write' | '_writev',
        (...args: unknown[]) => unknown
      >;
      const writes: number[] = [];
      for (const method of ['_write', '_writev'] as const) {
        const original = socket[method].bind(socket);
        socket[method] = (...args: unknown[]) => {
          writes.push(method === '_writev' ? (args[0] as unknown[]).length : 1);
          return original(...args);
        };
      }
      const three = [redis.get('a'), redis.get('b'), redis.get('c')];
      await expect(Promise.all(three)).resolves.toEqual(['v', 'v', 'v']);
      expect(writes).toEqual([3]);
      // Commands of later stretches are writes of their own (the socket is uncorked on the next tick).
      const slow = redis.call('SLOW');
      await new Promise((resolve) => setImmediate(resolve));
      const after = redis.get('d');
      expect(writes).toEqual([3, 1]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(writes).toEqual([3, 1, 1]);
      release();
      await expect(slow).resolves.toBe('OK');
      await expect(after).resolves.toBe('v');
    } finally {
      redis.disconnect();
    }
  });
});
