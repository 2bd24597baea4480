/**
 * An open-loop HTTP load generator for loopback targets: event i is due at `start + i / rate` whether
 * or not earlier requests have finished, and its latency counts from that due time (so a stalled
 * server cannot hide its queue). Bounded in events, time and requests in flight.
 */
import http from 'node:http';
import { createLatencyRecorder, type LatencyRecorder } from './stats.ts';

export interface LoadRequest {
  readonly body: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /** Loopback only: `http://127.0.0.1:<port>/<path>`. */
  readonly url: string;
  readonly ratePerSecond: number;
  /** New events are scheduled during this long. */
  readonly durationMs: number;
  /** Upper bound of distinct events. */
  readonly maxEvents: number;
  /** Builds the request of event `index`; called again (for a fresh signature) on each retry. */
  readonly request: (index: number, attempt: number) => LoadRequest;
  /** Keep-alive sockets. Default 64. */
  readonly connections?: number;
  /** Requests in flight or waiting for a socket before new events are counted as missed. Default 20 000. */
  readonly maxOutstanding?: number;
  /** Per-request timeout. Default 10 s. */
  readonly timeoutMs?: number;
  /**
   * Retry like a webhook provider: 5xx, 408, 429 and connection errors are retried (same event) after
   * `Retry-After` capped at `maxDelayMs`, until `untilMs` after the start. Default: no retries.
   */
  readonly retry?: { readonly untilMs: number; readonly maxDelayMs?: number };
  /** Called when an event is acknowledged (2xx) with the time since it was first due. */
  readonly onAck?: (index: number, latencyMs: number) => void;
  /** Stop scheduling new events when this resolves or returns true. */
  readonly shouldStop?: () => boolean;
}

export interface LoadResult {
  /** Distinct events the generator started. */
  readonly sent: number;
  /** Distinct events answered 2xx. */
  readonly acknowledged: number;
  /** Distinct events answered 4xx other than 408/429 (final). */
  readonly rejected: number;
  /** Events still unacknowledged at the end (gave up). */
  readonly unacknowledged: number;
  /** Events not started because too many were outstanding. */
  readonly missed: number;
  readonly attempts: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** From the first due time to the last answer. */
  readonly elapsedMs: number;
  /** Acknowledged events per second over the scheduling window (or elapsed time when longer). */
  readonly acknowledgedPerSecond: number;
  /** Latency of acknowledged events from first due time to the 2xx (includes retries). */
  readonly latency: LatencyRecorder;
  /** `performance.now()` when each event was first due / acknowledged (NaN when not). */
  readonly dueAt: Float64Array;
  readonly ackAt: Float64Array;
}

function assertLoopback(url: URL): void {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`load is only generated against loopback, not ${url.hostname}`);
  }
}

const RETRYABLE = (status: number) => status >= 500 || status === 408 || status === 429;

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  assertLoopback(url);
  const agent = new http.Agent({
    keepAlive: true,
    maxSockets: options.connections ?? 64,
    scheduling: 'fifo',
  });
  const maxOutstanding = options.maxOutstanding ?? 20_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = 1000 / options.ratePerSecond;
  const dueAt = new Float64Array(options.maxEvents).fill(Number.NaN);
  const ackAt = new Float64Array(options.maxEvents).fill(Number.NaN);
  const latency = createLatencyRecorder();
  const statuses: Record<string, number> = {};
  let sent = 0;
  let acknowledged = 0;
  let rejected = 0;
  let missed = 0;
  let attempts = 0;
  let outstanding = 0;
  let pendingRetries = 0;
  let lastAnswer = 0;
  const start = performance.now();
  const retryUntil = options.retry ? start + options.retry.untilMs : start;

  let wake: (() => void) | undefined;
  const settled = () => {
    if (outstanding === 0 && pendingRetries === 0) wake?.();
  };

  const attempt = (index: number, n: number) => {
    attempts += 1;
    outstanding += 1;
    const { body, headers } = options.request(index, n);
    let done = false;
    const finish = (status: number | 'error', retryAfterS?: number) => {
      if (done) return;
      done = true;
      outstanding -= 1;
      const now = performance.now();
      lastAnswer = now;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      if (typeof status === 'number' && status >= 200 && status < 300) {
        acknowledged += 1;
        ackAt[index] = now;
        const ms = now - dueAt[index]!;
        latency.record(ms);
        options.onAck?.(index, ms);
      } else if (status === 'error' || RETRYABLE(status)) {
        const delay = Math.min((retryAfterS ?? 0.2) * 1000, options.retry?.maxDelayMs ?? 1000);
        if (options.retry && now + delay < retryUntil) {
          pendingRetries += 1;
          setTimeout(() => {
            pendingRetries -= 1;
            attempt(index, n + 1);
          }, delay);
        }
      } else {
        rejected += 1;
      }
      settled();
    };
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const retryAfter = Number(res.headers['retry-after']);
          finish(res.statusCode ?? 0, Number.isFinite(retryAfter) ? retryAfter : undefined);
        });
        res.on('error', () => finish('error'));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => finish('error'));
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const stop = now - start >= options.durationMs || sent >= options.maxEvents || options.shouldStop?.();
      if (stop) {
        wake = resolve;
        settled();
        return;
      }
      const due = Math.min(options.maxEvents, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) {
        const index = sent;
        sent += 1;
        dueAt[index] = start + index * intervalMs;
        if (outstanding >= maxOutstanding) {
          missed += 1;
          continue;
        }
        attempt(index, 0);
      }
      setTimeout(tick, 1);
    };
    tick();
  });
  agent.destroy();
  const elapsedMs = Math.max(lastAnswer - start, 1);
  const windowMs = Math.max(Math.min(options.durationMs, elapsedMs), elapsedMs);
  return {
    sent: sent - missed,
    acknowledged,
    rejected,
    unacknowledged: sent - missed - acknowledged - rejected,
    missed,
    attempts,
    statuses,
    elapsedMs,
    acknowledgedPerSecond: (acknowledged / windowMs) * 1000,
    latency,
    dueAt,
    ackAt,
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request to a loopback endpoint; resolves with the status and body, rejects on network errors. */
export function httpRequest(
  target: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
  } = {},
): Promise<HttpAnswer> {
  const url = new URL(target);
  assertLoopback(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: {
          ...init.headers,
          ...(init.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(init.body)) }),
        },
        timeout: init.timeoutMs ?? 5_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${init.timeoutMs ?? 5_000} ms`)));
    req.on('error', reject);
    req.end(init.body);
  });
}
