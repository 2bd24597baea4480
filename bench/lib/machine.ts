/** What the report names: the machine, the versions and the settings of a run. */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from './processes.ts';

export interface MachineInfo {
  readonly hostname: string;
  readonly os: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly loadAverageAtStart: readonly number[];
  readonly versions: Readonly<Record<string, string>>;
  readonly gitCommit: string;
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    return String(pkg.version);
  } catch {
    return 'missing';
  }
}

/** The first line a command prints about its version (`java -version` prints to stderr). */
function commandVersion(command: string, args: string[]): string {
  const run = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.error || run.status !== 0) return 'missing';
  const text = `${run.stdout.toString()}\n${run.stderr.toString()}`;
  return (
    text
      .split('\n')
      .find((line) => line.trim() !== '')
      ?.trim() ?? 'missing'
  );
}

export function machineInfo(extra: Record<string, string> = {}): MachineInfo {
  let gitCommit = 'unknown';
  try {
    gitCommit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PROJECT_ROOT })
      .toString()
      .trim();
  } catch {
    // not a checkout
  }
  return {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    versions: {
      node: process.version,
      kafkajs: packageVersion('kafkajs'),
      ioredis: packageVersion('ioredis'),
      'redis-server': commandVersion('redis-server', ['--version']),
      java: commandVersion('java', ['-version']),
      ...extra,
    },
    gitCommit,
  };
}
