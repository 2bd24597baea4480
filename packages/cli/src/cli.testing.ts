import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { run } from './index.ts';

/** What one `vocflow …` run printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const VOCFLOW_BIN = fileURLToPath(new URL('../bin/vocflow.js', import.meta.url));

/**
 * Runs `vocflow …` in this process with `env` as the only environment it sees. For usage errors and
 * refusals, and for commands whose clients the test provides: nothing else is isolated.
 */
export async function vocflowInProcess(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const saved = process.env;
  process.env = { PATH: saved['PATH'] ?? '', ...env };
  let stdout = '';
  let stderr = '';
  try {
    const code = await run(args, {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, stderr };
  } finally {
    process.env = saved;
  }
}

/** Runs the `vocflow` binary as a child process with `stdin` as its input. */
export function vocflowChild(args: readonly string[], stdin = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VOCFLOW_BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
