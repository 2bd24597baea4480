/** Detached child processes tracked by pid files, stopped with SIGTERM then SIGKILL. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface DetachedProcessOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr are appended here. */
  readonly outputFile: string;
  readonly pidFile: string;
  readonly cwd?: string;
}

/** Starts a process that outlives this one (own process group, no inherited stdio) and records its pid. */
export function spawnDetached(options: DetachedProcessOptions): number {
  const output = openSync(options.outputFile, 'a');
  try {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', output, output],
    });
    if (child.pid === undefined) throw new Error(`could not start ${options.command}`);
    child.unref();
    writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(output);
  }
}

export function readPidFile(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The command line of a running process (Linux `/proc`), or '' when it cannot be read. */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The pid recorded in `pidFile` if that process still runs and is ours: its command line contains
 * `marker` (guards against a recycled pid). A stale pid file is removed.
 */
export function ownedPid(pidFile: string, marker: string): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  if (isAlive(pid) && commandLineOf(pid).includes(marker)) return pid;
  rmSync(pidFile, { force: true });
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** SIGTERM, wait up to `graceMs` for the process to exit, then SIGKILL. Resolves once it is gone. */
export async function stopProcess(
  pid: number,
  graceMs = 20_000,
): Promise<'terminated' | 'killed' | 'absent'> {
  if (!isAlive(pid)) return 'absent';
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return 'absent';
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid) || isZombie(pid)) return 'terminated';
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return 'terminated';
  }
  for (let i = 0; i < 50 && isAlive(pid) && !isZombie(pid); i += 1) await sleep(100);
  return 'killed';
}

/** A child of this process that exited but was not reaped still answers `kill(pid, 0)`. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Whether an executable answers on PATH (`java -version`, `mvn -v`, `redis-server --version`). */
export function commandExists(command: string, versionArgs: readonly string[] = ['--version']): boolean {
  const result = spawnSync(command, [...versionArgs], { stdio: 'ignore', timeout: 30_000 });
  return result.error === undefined;
}

/** The last `lines` lines of a (log) file, for error messages. */
export function tailFile(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no log file yet)';
  const text = readFileSync(file, 'utf8');
  return text
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}
