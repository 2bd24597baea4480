import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBareHttpServer } from './bare-http.ts';
import { runLoad } from './load-generator.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('open-loop load generator', () => {
  it('sends the scheduled number of events and counts every acknowledgement', async () => {
    const server = await startBareHttpServer();
    closers.push(server.close);
    const result = await runLoad({
      url: server.url,
      ratePerSecond: 500,
      durationMs: 400,
      maxEvents: 10_000,
      request: (i) => ({ body: JSON.stringify({ i }), headers: { 'content-type': 'application/json' } }),
    });
    expect(result.sent).toBeGreaterThanOrEqual(190);
    expect(result.sent).toBeLessThanOrEqual(201);
    expect(result.acknowledged).toBe(result.sent);
    expect(server.received()).toBe(result.sent);
    expect(result.latency.count).toBe(result.acknowledged);
  });

  it('stops at the event bound even when time remains', async () => {
    const server = await startBareHttpServer();
    closers.push(server.close);
    const result = await runLoad({
      url: server.url,
      ratePerSecond: 10_000,
      durationMs: 5_000,
      maxEvents: 50,
      request: () => ({ body: '{}', headers: {} }),
    });
    expect(result.sent).toBe(50);
    expect(result.acknowledged).toBe(50);
  });

  it('retries an event answered 503 until it is acknowledged', async () => {
    const seen = new Map<string, number>();
    const server = http.createServer((req, res) => {
      const id = String(req.headers['x-event']);
      const n = (seen.get(id) ?? 0) + 1;
      seen.set(id, n);
      req.resume();
      req.on('end', () => {
        res.writeHead(n < 3 ? 503 : 202, { 'retry-after': '0' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const result = await runLoad({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      ratePerSecond: 100,
      durationMs: 100,
      maxEvents: 5,
      retry: { untilMs: 5_000, maxDelayMs: 10 },
      request: (i) => ({ body: '{}', headers: { 'x-event': String(i) } }),
    });
    expect(result.acknowledged).toBe(5);
    expect(result.attempts).toBe(15);
    expect(result.statuses['503']).toBe(10);
  });

  it('refuses targets that are not loopback', async () => {
    await expect(
      runLoad({
        url: 'http://example.com/',
        ratePerSecond: 1,
        durationMs: 1,
        maxEvents: 1,
        request: () => ({ body: '', headers: {} }),
      }),
    ).rejects.toThrow(/loopback/);
  });
});
