/**
 * CPU profiles of running service processes through the V8 inspector (the process is started with
 * `--inspect=127.0.0.1:<port>`), taken over exactly the measured window, and their summary: the
 * functions with the most self time, and self time by where the code lives.
 */
import { httpRequest } from './load-generator.ts';

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber?: number;
  };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

/** The `.cpuprofile` format (what `Profiler.stop` returns and Chrome DevTools opens). */
export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface Profiling {
  stop(): Promise<CpuProfile>;
}

/** Connects to the inspector on `port` and starts the sampling profiler (`intervalUs` between samples). */
export async function startProfiling(port: number, intervalUs = 500): Promise<Profiling> {
  const list = await httpRequest(`http://127.0.0.1:${port}/json/list`, { timeoutMs: 5_000 });
  const [target] = JSON.parse(list.body) as { webSocketDebuggerUrl: string }[];
  if (!target) throw new Error(`no inspector target on port ${port}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`inspector on ${port} refused`)), { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id!);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: intervalUs });
  await call('Profiler.start');
  return {
    async stop() {
      try {
        const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
        return profile;
      } finally {
        socket.close();
      }
    },
  };
}

export interface ProfileLine {
  /** `function (file:line)`, or a V8 pseudo-frame such as `(garbage collector)`. */
  readonly name: string;
  /** Where the code lives: an npm package, `node` (built-ins), `vocflow` (own code) or a V8 pseudo-frame. */
  readonly area: string;
  readonly selfMs: number;
  /** Share of the busy time (everything but `(idle)`). */
  readonly share: number;
}

export interface ProfileSummary {
  readonly durationMs: number;
  readonly busyMs: number;
  readonly top: readonly ProfileLine[];
  readonly byArea: readonly { area: string; selfMs: number; share: number }[];
}

/** `node_modules/<pkg>` (scoped too), `node:` built-ins, the project's own files, V8's pseudo-frames. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node';
  const own = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (own) return `vocflow ${own[1] === 'packages' ? '@vocflow/' : ''}${own[2]}`;
  return 'other';
}

function shortFile(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) return url.slice(modules + 'node_modules/'.length);
  const own = /\/((?:packages|services)\/.*)$/.exec(url);
  if (own) return own[1]!;
  return url.replace(/^file:\/\//, '');
}

/** Self time per function (summed over every call site), the top `limit`, and self time per area. */
export function summarizeProfile(profile: CpuProfile, limit = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0) {
    // Each sample stands for the time until the next one.
    for (let i = 0; i < samples.length; i += 1) {
      const us = deltas[i + 1] ?? 0;
      selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + Math.max(0, us));
    }
  } else {
    const interval =
      (profile.endTime - profile.startTime) /
      Math.max(
        1,
        profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0),
      );
    for (const node of profile.nodes) selfUs.set(node.id, (node.hitCount ?? 0) * interval);
  }
  const lines = new Map<string, { area: string; us: number }>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const area = areaOf(frame.url, frame.functionName);
    const name =
      frame.url === ''
        ? frame.functionName || '(anonymous)'
        : `${frame.functionName || '(anonymous)'} (${shortFile(frame.url)}:${frame.lineNumber + 1})`;
    const line = lines.get(name) ?? { area, us: 0 };
    line.us += us;
    lines.set(name, line);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const share = (us: number) => (busyUs > 0 ? us / busyUs : 0);
  return {
    durationMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busyUs / 1000,
    top: [...lines.entries()]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, limit)
      .map(([name, l]) => ({ name, area: l.area, selfMs: l.us / 1000, share: share(l.us) })),
    byArea: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, us]) => ({ area, selfMs: us / 1000, share: share(us) })),
  };
}
