import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The services `vocflow start` runs, each as its own process, with the port its HTTP answers on. */
export const SERVICES = {
  ingest: { portVar: 'INGEST_PORT', port: 8080 },
  enrichment: { portVar: 'ENRICHMENT_OPS_PORT', port: 8082 },
  aggregation: { portVar: 'AGGREGATION_OPS_PORT', port: 8083 },
  api: { portVar: 'API_PORT', port: 8081 },
} as const;
export type ServiceId = keyof typeof SERVICES;
export const SERVICE_IDS = Object.keys(SERVICES) as ServiceId[];

export function serviceEntry(name: ServiceId): string {
  return fileURLToPath(new URL(`../../../services/${name}/src/main.ts`, import.meta.url));
}

/** The port a service listens on under `env`. */
export function servicePort(name: ServiceId, env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[SERVICES[name].portVar];
  return raw && /^\d+$/.test(raw) ? Number(raw) : SERVICES[name].port;
}

export function parseOnly(value: string | undefined): ServiceId[] {
  if (value === undefined || value.trim() === '') return [...SERVICE_IDS];
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(n in SERVICES));
  if (unknown.length > 0) {
    throw new Error(`unknown service(s) ${unknown.join(', ')}; choose from ${SERVICE_IDS.join(', ')}`);
  }
  return SERVICE_IDS.filter((id) => names.includes(id));
}

const COLORS = [36, 35, 33, 32, 34];
const LEVEL_NAMES = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Nested fields as dotted keys (`config.http.port`), so an object such as the configuration stays visible. */
function flatten(record: Record<string, unknown>, prefix = ''): [string, unknown][] {
  return Object.entries(record).flatMap(([key, value]): [string, unknown][] => {
    if (value === undefined) return [];
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      return flatten(value as Record<string, unknown>, `${prefix}${key}.`);
    return [[`${prefix}${key}`, value]];
  });
}

/** One log line of a child, shortened for a terminal: pino JSON becomes `level message key=value`. */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const { level, msg, time: _t, service: _s, version: _v, pid: _p, hostname: _h, ...rest } = record;
    const { err: _e, ...others } = rest;
    const fields = flatten(others).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    const err = rest['err'] as { message?: string } | undefined;
    if (err?.message) fields.push(`err="${err.message}"`);
    const lvl = typeof level === 'string' && LEVEL_NAMES.has(level) ? level.padEnd(5) : String(level ?? '');
    return `${lvl} ${String(msg ?? '')}${fields.length ? `  ${fields.join(' ')}` : ''}`;
  } catch {
    return line;
  }
}

export interface SupervisedExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the process ended on its own, not because the supervisor stopped it. */
  readonly unexpected: boolean;
}

export interface Supervisor {
  /** Resolves when every child has exited. */
  readonly done: Promise<SupervisedExit[]>;
  pids(): Record<string, number | undefined>;
  /** SIGTERM to every child, SIGKILL to those still running after the deadline. Idempotent. */
  stop(reason: string): Promise<SupervisedExit[]>;
}

export interface SupervisorOptions {
  readonly services: readonly { name: string; entry: string; env: Record<string, string | undefined> }[];
  readonly write: (line: string) => void;
  readonly color?: boolean;
  /** How long children get to shut down gracefully. */
  readonly stopDeadlineMs?: number;
  /** Called once when a child exits that nobody asked to stop. Nothing is restarted silently. */
  readonly onUnexpectedExit?: (exit: SupervisedExit) => void;
}

/** Runs each service as a child process, prefixes its output, and stops them all together. */
export function superviseServices(options: SupervisorOptions): Supervisor {
  const width = Math.max(...options.services.map((s) => s.name.length));
  let stopping: Promise<SupervisedExit[]> | undefined;
  const children: { name: string; child: ChildProcess; exited: Promise<SupervisedExit> }[] = [];

  options.services.forEach((service, index) => {
    const label = service.name.padEnd(width);
    const prefix = options.color ? `\x1b[${COLORS[index % COLORS.length]}m${label}\x1b[0m │ ` : `${label} │ `;
    // Its own process group: Ctrl-C in the terminal reaches only the supervisor, which then sends
    // each child one SIGTERM (a second signal would make a service exit at once, ungracefully).
    const child = spawn(process.execPath, [service.entry], {
      env: service.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) =>
        options.write(`${prefix}${formatLogLine(line)}`),
      );
    }
    const exited = new Promise<SupervisedExit>((resolve) => {
      child.on('exit', (code, signal) => {
        const exit = { name: service.name, code, signal, unexpected: stopping === undefined };
        options.write(`${prefix}exited (${signal ?? `code ${code}`})`);
        if (exit.unexpected) options.onUnexpectedExit?.(exit);
        resolve(exit);
      });
      child.on('error', (error) => {
        options.write(`${prefix}failed to start: ${error.message}`);
      });
    });
    children.push({ name: service.name, child, exited });
  });

  const done = Promise.all(children.map((c) => c.exited));
  // Should the supervisor itself end abruptly, its detached children must not outlive it.
  const killAll = () => {
    for (const { child } of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', killAll);
  void done.then(() => process.off('exit', killAll));
  return {
    done,
    pids: () => Object.fromEntries(children.map((c) => [c.name, c.child.pid])),
    stop(reason) {
      stopping ??= (async () => {
        options.write(`stopping ${children.length} service(s): ${reason}`);
        for (const { child } of children)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const deadline = setTimeout(() => {
          for (const { name, child } of children) {
            if (child.exitCode === null && child.signalCode === null) {
              options.write(`${name} did not stop within ${options.stopDeadlineMs ?? 30_000} ms; killing it`);
              child.kill('SIGKILL');
            }
          }
        }, options.stopDeadlineMs ?? 30_000);
        const exits = await done;
        clearTimeout(deadline);
        return exits;
      })();
      return stopping;
    },
  };
}

/** Polls `url` until it answers 2xx or the deadline passes. */
export async function waitForHttp(
  url: string,
  timeoutMs: number,
  isAlive: () => boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && isAlive()) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/** True when something already listens on `port` (any address), so a service could not bind it. */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE'));
    server.listen({ port, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** The services whose port is already taken (port 0 means "any free port" and is never taken). */
export async function portsInUse<N extends string>(
  services: readonly { name: N; port: number }[],
): Promise<{ name: N; port: number }[]> {
  const taken = await Promise.all(services.map((s) => (s.port === 0 ? false : portInUse(s.port))));
  return services.filter((_, i) => taken[i]);
}
