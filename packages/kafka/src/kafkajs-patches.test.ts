import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types, run by the root postinstall
import { FIXES, patchSource } from '../patches/kafkajs.mjs';

type Fix = { name: string; file: string; before: string; after: string };
const fixes = FIXES as Fix[];
const require = createRequire(import.meta.url);

/** CRC-32C a bit at a time (the polynomial 0x82F63B78, reflected): the reference. */
function reference(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('the kafkajs patches', () => {
  it('apply every fix to its file and are idempotent', () => {
    for (const file of new Set(fixes.map((f) => f.file))) {
      const own = fixes.filter((f) => f.file === file);
      const source = `a\n${own.map((f) => f.before).join('\n')}\nb`;
      const once = patchSource(file, source);
      for (const fix of own) expect(once).toContain(fix.after);
      expect(patchSource(file, once)).toBe(once);
      expect(() => patchSource(file, 'other code')).toThrow(/not found/);
    }
  });

  it('are applied to the installed kafkajs', () => {
    for (const fix of fixes)
      expect(readFileSync(require.resolve(`kafkajs/${fix.file}`), 'utf8')).toContain(fix.after);
  });

  it('leaves an idle request queue without a timer', async () => {
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
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

  it('checksums as CRC-32C does, at every length and alignment', () => {
    const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    // The check value of the CRC-32C catalogue.
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    let seed = 1;
    const byte = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
      return seed >>> 16;
    };
    const data = Buffer.from(Array.from({ length: 5_000 }, () => byte() & 0xff));
    for (let length = 0; length <= 70; length += 1)
      for (const start of [0, 1, 3, 7]) {
        const part = data.subarray(start, start + length);
        expect(crc32C(part)).toBe(reference(part));
      }
    expect(crc32C(data)).toBe(reference(data));
    expect(crc32C(Buffer.alloc(4_096, 0xff))).toBe(reference(Buffer.alloc(4_096, 0xff)));
  });
});
