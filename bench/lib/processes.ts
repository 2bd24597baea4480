/**
 * Process supervision for benchmarks and drills: spawn a vocflow service as its own process, wait until
 * it is ready, sample its CPU time and peak memory from /proc, kill -9 it, restart it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface ProcSample {
  /** User + system CPU seconds of the process. */
  readonly cpuSeconds: number;
  /** Peak resident set size (VmHWM) in bytes. */
  readonly peakRssBytes: number;
}

/** Reads /proc/<pid>/stat and /proc/<pid>/status; undefined when the process is gone. */
export function sampleProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds: (utime + stime) / ticksPerSecond(), peakRssBytes: hwm ? Number(hwm[1]) * 1024 : 0 };
  } catch {
    return undefined;
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns true or the time is up; returns whether it did. */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

export interface SupervisedOptions {
  readonly name: string;
  /** Command and arguments; default `node services/<service>/src/main.ts`. */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Resolves true once the process is ready (e.g. `/readyz` answers 200). */
  readonly ready?: () => Promise<boolean>;
  readonly readyTimeoutMs?: number;
  readonly logDir: string;
}

export interface Supervised {
  readonly name: string;
  pid(): number | undefined;
  /** Starts (or restarts) the process and waits until it is ready. */
  start(): Promise<void>;
  /** SIGKILL, no goodbye. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for a graceful exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** CPU seconds over every incarnation so far (sampled now for the live one). */
  cpuSeconds(): number;
  peakRssBytes(): number;
  /** Exit codes / signals of incarnations that ended. */
  exits(): readonly string[];
}

export function supervise(options: SupervisedOptions): Supervised {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let cpuDone = 0;
  let lastCpu = 0;
  let peakRss = 0;
  let incarnation = 0;
  const exits: string[] = [];
  const sample = () => {
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null || child.signalCode !== null) return;
    const s = sampleProc(pid);
    if (!s) return;
    lastCpu = s.cpuSeconds;
    peakRss = Math.max(peakRss, s.peakRssBytes);
  };
  const timer = setInterval(sample, 250);
  timer.unref();

  const self: Supervised = {
    name: options.name,
    pid: () => child?.pid,
    async start() {
      incarnation += 1;
      const log = createWriteStream(join(options.logDir, `${options.name}.${incarnation}.log`));
      const proc = spawn(options.command, [...options.args], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout?.pipe(log);
      proc.stderr?.pipe(log);
      child = proc;
      lastCpu = 0;
      exited = new Promise<void>((r) => {
        proc.once('exit', (code, signal) => {
          cpuDone += lastCpu;
          lastCpu = 0;
          exits.push(signal ?? String(code));
          r();
        });
      });
      if (options.ready) {
        const ok = await waitFor(
          async () => {
            if (proc.exitCode !== null || proc.signalCode !== null) {
              throw new Error(
                `${options.name} exited (${proc.exitCode ?? proc.signalCode}) before it was ready`,
              );
            }
            return options.ready!();
          },
          options.readyTimeoutMs ?? 60_000,
          100,
        ).catch((error: unknown) => {
          throw error;
        });
        if (proc.exitCode !== null || proc.signalCode !== null) {
          throw new Error(
            `${options.name} exited (${proc.exitCode ?? proc.signalCode}) before it was ready; see ${options.logDir}`,
          );
        }
        if (!ok)
          throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 60_000} ms`);
      }
    },
    async kill9() {
      sample();
      child?.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 30_000) {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      sample();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    cpuSeconds() {
      sample();
      return cpuDone + lastCpu;
    },
    peakRssBytes() {
      sample();
      return peakRss;
    },
    exits: () => exits,
  };
  return self;
}
