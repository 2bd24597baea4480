#!/usr/bin/env node
/**
 * kafkajs 2.2.4 schedules its request-queue check with `setTimeout(…, throttledUntil - Date.now())`,
 * which is negative when the queue was never throttled (`throttledUntil` starts at -1); Node 24 prints
 * `TimeoutNegativeWarning` for it (upstream tulios/kafkajs#1751, unreleased). Node already runs such a
 * timer after 1 ms, so clamping the delay to at least 1 ms changes nothing but the warning.
 *
 * Run at install (root `postinstall`); idempotent; exits non-zero when kafkajs is not the version this
 * patch was written for, so an upgrade is noticed instead of silently unpatched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export const BEFORE = `        this.checkPendingRequests()
      }, scheduleAt)`;
export const AFTER = `        this.checkPendingRequests()
      }, Math.max(1, scheduleAt))`;

/** The patched source, or the same text when already patched; throws when the code is not found. */
export function patchSource(source) {
  if (source.includes(AFTER)) return source;
  if (!source.includes(BEFORE)) throw new Error('kafkajs request queue: the code to patch was not found');
  return source.replace(BEFORE, AFTER);
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
      `kafkajs ${version}: the TimeoutNegativeWarning patch is for 2.2.4; check upstream #1751\n`,
    );
    process.exitCode = 1;
    return;
  }
  const file = join(root, 'src/network/requestQueue/index.js');
  const source = readFileSync(file, 'utf8');
  const patched = patchSource(source);
  if (patched !== source) writeFileSync(file, patched);
  process.stdout.write(
    `kafkajs ${version}: TimeoutNegativeWarning patch ${patched === source ? 'already applied' : 'applied'}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
