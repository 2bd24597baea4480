#!/usr/bin/env node
/**
 * Fixes to kafkajs 2.2.4, applied at install (root `postinstall`, and the Dockerfile after its
 * script-less `npm ci`):
 *
 * The request queue (`src/network/requestQueue/index.js`), one per broker connection:
 * 1. **An endless 1 ms timer.** `checkPendingRequests` ends by scheduling itself again whether or not
 *    a request is pending, with `setTimeout(…, throttledUntil - Date.now())`: negative when the queue
 *    was never throttled, so Node runs it after 1 ms, and again, forever. Every connection of an idle
 *    process woke ~1,000 times a second (measured: 800–4,900 timers a second per service, 4–7 % of a
 *    core each with no traffic). Scheduling only while requests are pending is enough: a request that
 *    becomes pending schedules the check itself (`push`).
 * 2. **`TimeoutNegativeWarning`** on Node 24 for the same negative delay (upstream tulios/kafkajs#1751,
 *    unreleased): the delay is clamped to at least 1 ms, which is what Node did anyway.
 *
 * The record-batch CRC-32C (`src/protocol/recordBatch/crc32C/`): every produce request checksums its
 * record batch, a byte at a time (2.4 ns a byte, ~5 µs for an enriched record; 3–6 % of the enrichment
 * service's CPU), then turns the result unsigned by allocating a `Uint32Array` per call.
 * 3. **Slicing-by-8**: eight bytes per step with eight tables derived from kafkajs' own (0.67 ns a
 *    byte); the same checksum (tested against a bit-at-a-time CRC-32C).
 * 4. **`>>> 0`** instead of `Uint32Array.from([value])[0]`.
 *
 * Idempotent; exits non-zero when kafkajs is not the version these fixes were written for, so an
 * upgrade is noticed instead of silently unpatched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const QUEUE = 'src/network/requestQueue/index.js';

/** Each fix: the file under kafkajs/, the code as shipped, and as patched. */
export const FIXES = [
  {
    name: 'no check scheduled while nothing is pending',
    file: QUEUE,
    before: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {`,
    after: `    let scheduleAt = this.throttledUntil - Date.now()
    if (this.pending.length === 0) return
    if (!this.throttleCheckTimeoutId) {`,
  },
  {
    name: 'no negative timeout',
    file: QUEUE,
    before: `        this.checkPendingRequests()
      }, scheduleAt)`,
    after: `        this.checkPendingRequests()
      }, Math.max(1, scheduleAt))`,
  },
  {
    name: 'slicing-by-8',
    file: 'src/protocol/recordBatch/crc32C/crc32C.js',
    before: `const crc32C = buffer => {
  let crc = 0 ^ -1
  for (let i = 0; i < buffer.length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
    after: `// vocflow: slicing-by-8 (eight bytes a step; tables 1-7 derived from T on first use)
let T8
const tables = () => {
  const t = new Int32Array(8 * 256)
  t.set(T)
  for (let n = 0; n < 256; n++)
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ T[t[(k - 1) * 256 + n] & 0xff]
  return t
}
const crc32C = buffer => {
  const t = (T8 = T8 || tables())
  const length = buffer.length
  const whole = length - (length & 7)
  let crc = 0 ^ -1
  let i = 0
  for (; i < whole; i += 8) {
    const a = crc ^ (buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24))
    const b = buffer[i + 4] | (buffer[i + 5] << 8) | (buffer[i + 6] << 16) | (buffer[i + 7] << 24)
    crc =
      t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + (b & 0xff)] ^ t[512 + ((b >>> 8) & 0xff)] ^ t[256 + ((b >>> 16) & 0xff)] ^ t[b >>> 24]
  }
  for (; i < length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
  },
  {
    name: 'unsigned without an array',
    file: 'src/protocol/recordBatch/crc32C/index.js',
    before: 'const unsigned = value => Uint32Array.from([value])[0]',
    after: 'const unsigned = value => value >>> 0',
  },
];

/** The patched text of one file, or the same text when already patched; throws when the code is not found. */
export function patchSource(file, source) {
  let patched = source;
  for (const fix of FIXES.filter((f) => f.file === file)) {
    if (patched.includes(fix.after)) continue;
    if (!patched.includes(fix.before))
      throw new Error(`kafkajs ${file}: the code to patch was not found (${fix.name})`);
    patched = patched.replace(fix.before, fix.after);
  }
  return patched;
}

function main() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  let root;
  try {
    root = dirname(require.resolve('kafkajs/package.json'));
  } catch {
    process.stdout.write('kafkajs not installed: nothing to patch\n');
    return;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (version !== '2.2.4') {
    process.stderr.write(
      `kafkajs ${version}: these patches are for 2.2.4; check whether each is still needed\n`,
    );
    process.exitCode = 1;
    return;
  }
  let changed = 0;
  for (const file of new Set(FIXES.map((f) => f.file))) {
    const path = join(root, file);
    const source = readFileSync(path, 'utf8');
    const patched = patchSource(file, source);
    if (patched !== source) {
      writeFileSync(path, patched);
      changed += 1;
    }
  }
  process.stdout.write(`kafkajs ${version}: patches ${changed === 0 ? 'already applied' : 'applied'}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
