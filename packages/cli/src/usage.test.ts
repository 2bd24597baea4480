import { execFile } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, vocflowInProcess } from './cli.testing.ts';

const BIN = fileURLToPath(new URL('../bin/vocflow.js', import.meta.url));

type Run = CliRun;
const vocflow = vocflowInProcess;

/** Runs the real `vocflow` binary, for what only a separate process shows (that it ends, its exit code). */
function vocflowProcess(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 110_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('vocflow refuses bad options before doing anything (exit 2, option named)', {
  timeout: 120_000,
}, () => {
  it('dlq inspect: --since in an unknown form and --limit abc, both listed at once', async () => {
    const run = await vocflow(['dlq', 'inspect', '--since', 'soon', '--limit', 'abc'], {
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('vocflow dlq inspect: 2 problems');
    expect(run.stderr).toContain('--since: expected a day (2026-11-30, midnight UTC)');
    expect(run.stderr).toContain('--limit: expected a whole number from 0 to 100000, got "abc"');
    expect(run.stderr).not.toContain('DLQ records');
  });

  it('dlq inspect --since yesterday is a documented form; with Kafka down it fails within --timeout', async () => {
    const run = await vocflowProcess([
      'dlq',
      'inspect',
      '--since',
      'yesterday',
      '--brokers',
      '127.0.0.1:1',
      '--timeout',
      '1',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'reading feedback.dlq.v1 from Kafka at 127.0.0.1:1 did not finish within 1 s (--timeout)',
    );
    expect(run.stderr).not.toContain('Invalid time value');
  });

  it('topics create with Kafka not answering fails within --timeout', async () => {
    const held = new Set<Socket>();
    const silent = createServer((socket) => {
      held.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const run = await vocflowProcess(['topics', 'create', '--timeout', '1', '--no-archive-lifecycle'], {
        KAFKA_BROKERS: `127.0.0.1:${port}`,
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        `creating topics on Kafka at 127.0.0.1:${port} did not finish within 1 s (--timeout)`,
      );
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('dlq inspect names KAFKA_BROKERS when the bad broker list comes from the environment', async () => {
    const run = await vocflow(['dlq', 'inspect'], { KAFKA_BROKERS: 'foo bar' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KAFKA_BROKERS (for --brokers): expected comma-separated host:port');
  });

  it('start --stop-deadline soon', async () => {
    const run = await vocflow(['start', '--stop-deadline', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--stop-deadline: expected a whole number from 100 to 600000, got "soon"');
    expect(run.stdout).toBe('');
  });

  it('start lists every bad shared variable before it starts anything', async () => {
    const run = await vocflow(['start', '--no-topics'], {
      KAFKA_BROKERS: 'foo bar',
      REDIS_URL: 'notaurl',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      LOG_LEVEL: 'loud',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('vocflow start: 3 problems');
    expect(run.stderr).toContain('KAFKA_BROKERS: expected comma-separated host:port addresses');
    expect(run.stderr).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(run.stderr).toContain('LOG_LEVEL: expected one of');
  });

  it('start --only with an unknown service', async () => {
    const run = await vocflow(['start', '--only', 'ingest,bogus']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--only: unknown bogus');
  });

  it('demo --count abc, before any profile is sent', async () => {
    const run = await vocflow(['demo', '--count', 'abc', '--ingest-url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--count: expected a whole number from 1 to 10000000, got "abc"');
    expect(run.stdout).toBe('');
  });

  it('demo refuses a bad INGEST_PORT before sending anything', async () => {
    const run = await vocflow(['demo', '--count', '5'], { INGEST_PORT: 'abc', API_KEYS: 'k' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'INGEST_PORT (for the default --ingest-url): expected a whole number from 1 to 65535',
    );
  });

  it('rebuild-rollups --from after --to', async () => {
    const run = await vocflow(['rebuild-rollups', '--from', '2026-11-30', '--to', '2026-11-01']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from 2026-11-30 is after --to 2026-11-01');
  });

  it('rebuild-rollups lists a bad day and a bad environment together', async () => {
    const run = await vocflow(['rebuild-rollups', '--from', '2026-11-31'], { REDIS_URL: 'notaurl' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from: expected a calendar day as YYYY-MM-DD');
    const usage = await vocflow(['rebuild-rollups'], { REDIS_URL: 'notaurl', LOG_LEVEL: 'loud' });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(usage.stderr).toContain('LOG_LEVEL: expected one of');
  });

  it('an unknown option is a usage error too', async () => {
    const run = await vocflow(['dlq', 'inspect', '--sinse', 'yesterday']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--sinse'");
  });
});

describe('vocflow start refuses a port another process holds', { timeout: 120_000 }, () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails clearly and never prints "vocflow is running"', async () => {
    const run = await vocflow(['start', '--only', 'ingest', '--no-topics'], {
      KAFKA_BROKERS: '127.0.0.1:1',
      REDIS_URL: 'redis://127.0.0.1:1',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      INGEST_PORT: String(port),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`port ${port} (INGEST_PORT, ingest) is already in use`);
    expect(run.stdout).not.toContain('vocflow is running');
  });
});

describe('vocflow stack --help', { timeout: 120_000 }, () => {
  it('shows an example that really exports the settings', async () => {
    const run = await vocflow(['stack', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('eval "$(vocflow stack up --export)"');
    expect(run.stdout).not.toContain('eval "$(vocflow stack up)"');
  });
});
