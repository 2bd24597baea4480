import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isLogLevel, packageVersion } from './logger.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/service.fixture.ts', import.meta.url));
const OWN_VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

interface Run {
  readonly code: number | null;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string;
}

/** Runs the fixture service; sends SIGTERM once it logs that it listens (unless it exits first). */
function runFixture(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [FIXTURE], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('fixture listening')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, lines, stderr });
    });
  });
}

describe('runService', () => {
  it('logs "shut down" once on SIGTERM, with the version of the nearest package.json', async () => {
    const run = await runFixture({});
    expect(run.code).toBe(0);
    expect(run.lines.filter((l) => l['msg'] === 'shut down')).toHaveLength(1);
    expect(run.lines.filter((l) => l['msg'] === 'shutting down')).toHaveLength(1);
    expect(run.lines.find((l) => l['msg'] === 'signal received')).toMatchObject({ signal: 'SIGTERM' });
    expect(new Set(run.lines.map((l) => l['version']))).toEqual(new Set([OWN_VERSION]));
  });

  it('starts with LOG_LEVEL=loud instead of crashing in the logger', async () => {
    const run = await runFixture({ LOG_LEVEL: 'loud' });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('TypeError');
    expect(run.lines.some((l) => l['msg'] === 'fixture listening')).toBe(true);
  });

  it('logs an invalid configuration as its list of problems and exits 1', async () => {
    const run = await runFixture({ FIXTURE_FAIL: 'config' });
    expect(run.code).toBe(1);
    const fatal = run.lines.find((l) => l['level'] === 'fatal');
    expect(fatal?.['msg']).toContain('LOG_LEVEL: bad');
    expect(fatal?.['problems']).toEqual([{ variable: 'LOG_LEVEL', message: 'bad' }]);
    expect(fatal?.['err']).toBeUndefined();
  });
});

describe('isLogLevel', () => {
  it('knows pino levels and silent, nothing else', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      expect(isLogLevel(level)).toBe(true);
    expect(isLogLevel('loud')).toBe(false);
    expect(isLogLevel('')).toBe(false);
  });
});

describe('packageVersion', () => {
  it('finds the nearest package.json from a file URL or a path', () => {
    expect(packageVersion(import.meta.url)).toBe(OWN_VERSION);
    expect(packageVersion(fileURLToPath(import.meta.url))).toBe(OWN_VERSION);
  });
});
