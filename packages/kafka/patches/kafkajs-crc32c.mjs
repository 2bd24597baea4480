#!/usr/bin/env node
/**
 * A faster CRC-32C for kafkajs 2.2.4's record batches (`src/protocol/recordBatch/crc32C/`). Every
 * produce request checksums its record batch: kafkajs does it a byte at a time (2.4 ns a byte, ~5 µs
 * for an enriched record; 3–6 % of the enrichment service's CPU) and then turns the result unsigned by
 * allocating a `Uint32Array` per call. Patched:
 *
 * 1. **Slicing-by-8**: eight bytes per step with eight tables derived from kafkajs' own (0.67 ns a
 *    byte); the same checksum (tested against the byte-at-a-time loop).
 * 2. **`>>> 0`** instead of `Uint32Array.from([value])[0]`.
 *
 * Run at install (root `postinstall`); idempotent; exits non-zero when kafkajs is not the version this
 * patch was written for, so an upgrade is noticed instead of silently unpatched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Each fix: the file under kafkajs/, the code as shipped, and as patched. */
export const FIXES = [
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
      throw new Error(`kafkajs CRC-32C: the code to patch was not found (${fix.name})`);
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
      `kafkajs ${version}: the CRC-32C patch is for 2.2.4; check whether it still applies\n`,
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
  process.stdout.write(
    `kafkajs ${version}: CRC-32C patch ${changed === 0 ? 'already applied' : 'applied'}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
