/**
 * A throwaway `redis-server` for benchmarks and drills: its own port and data directory, so stopping it
 * (drill "Redis goes away") or reading its command statistics never touches anyone else's Redis.
 * Appends every write to its AOF with fsync, so a stop and restart keeps the rollups.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, type Supervised, supervise } from './processes.ts';

export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  readonly process: Supervised;
  /** Calls per command since start (INFO commandstats). */
  commandStats(): Promise<Record<string, number>>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startThrowawayRedis(dir: string): Promise<ThrowawayRedis> {
  const port = await freePort();
  const dataDir = join(dir, `redis-${port}`);
  mkdirSync(dataDir, { recursive: true });
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } finally {
      client.disconnect();
    }
  };
  const process = supervise({
    name: `redis-${port}`,
    command: 'redis-server',
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dataDir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ],
    env: {},
    ready: ping,
    readyTimeoutMs: 15_000,
    logDir: dir,
  });
  await process.start();
  return {
    url,
    port,
    process,
    async commandStats() {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      try {
        return parseCommandStats(await client.info('commandstats'));
      } finally {
        client.disconnect();
      }
    },
    stop: () => process.stop(10_000),
    start: () => process.start(),
  };
}

/** `cmdstat_hincrby:calls=10,usec=…` lines → `{ hincrby: 10 }`. */
export function parseCommandStats(info: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match) stats[match[1]!] = Number(match[2]);
  }
  return stats;
}

/** Commands that only read or manage the connection: not part of what a writer costs. */
const NOT_WRITES = new Set([
  'get',
  'mget',
  'hget',
  'hgetall',
  'hmget',
  'zrange',
  'zrangebyscore',
  'zrevrange',
  'zscore',
  'smembers',
  'sismember',
  'scan',
  'sscan',
  'hscan',
  'exists',
  'ttl',
  'pttl',
  'type',
  'info',
  'ping',
  'client',
  'client|setname',
  'client|setinfo',
  'hello',
  'select',
  'command',
  'command|docs',
  'evalsha_ro',
  'eval_ro',
  'script|exists',
  'script|load',
  'config|get',
  'keys',
  'dbsize',
  'lrange',
  'llen',
  'hlen',
  'scard',
  'zcard',
]);

/** Calls between two command-stat snapshots: all, and writes only. */
export function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): { all: number; writes: number } {
  let all = 0;
  let writes = 0;
  for (const [name, calls] of Object.entries(after)) {
    const delta = calls - (before[name] ?? 0);
    all += delta;
    if (!NOT_WRITES.has(name)) writes += delta;
  }
  return { all, writes };
}
