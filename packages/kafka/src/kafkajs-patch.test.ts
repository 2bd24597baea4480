import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types, run by the root postinstall
import { FIXES, patchSource } from '../patches/kafkajs.mjs';

type Fix = { name: string; file: string; before: string; after: string };
const QUEUE = 'src/network/requestQueue/index.js';
const fixes = (FIXES as Fix[]).filter((f) => f.file === QUEUE);

describe('the kafkajs request-queue patch', () => {
  it('applies every fix and is idempotent', () => {
    const source = `a\n${fixes.map((f) => f.before).join('\n')}\nb`;
    const once = patchSource(QUEUE, source);
    for (const fix of fixes) expect(once).toContain(fix.after);
    expect(patchSource(QUEUE, once)).toBe(once);
    expect(() => patchSource(QUEUE, 'other code')).toThrow(/not found/);
  });

  it('is applied to the installed kafkajs', () => {
    const file = createRequire(import.meta.url).resolve('kafkajs/src/network/requestQueue/index.js');
    const installed = readFileSync(file, 'utf8');
    for (const fix of fixes) expect(installed).toContain(fix.after);
  });

  it('leaves an idle request queue without a timer', async () => {
    const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js');
    const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
    const queue = new RequestQueue({
      instrumentationEmitter: { emit() {} },
      maxInFlightRequests: 1,
      requestTimeout: 1_000,
      enforceRequestTimeout: false,
      clientId: 'test',
      broker: 'localhost:9092',
      logger,
      isConnected: () => true,
    });
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId ?? null).toBeNull();
    queue.destroy?.();
  });
});
