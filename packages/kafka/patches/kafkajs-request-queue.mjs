#!/usr/bin/env node
/**
 * Two fixes to kafkajs 2.2.4's request queue (`src/network/requestQueue/index.js`), one per broker
 * connection:
 *
 * 1. **An endless 1 ms timer.** `checkPendingRequests` ends by scheduling itself again whether or not
 *    a request is pending, with `setTimeout(…, throttledUntil - Date.now())`: negative when the queue
 *    was never throttled, so Node runs it after 1 ms, and again, forever. Every connection of an idle
 *    process woke ~1,000 times a second (measured: 800–4,900 timers a second per service, 4–7 % of a
 *    core each with no traffic). Scheduling only while requests are pending is enough: a request that
 *    becomes pending schedules the check itself (`push`).
 * 2. **`TimeoutNegativeWarning`** on Node 24 for the same negative delay (upstream tulios/kafkajs#1751,
 *    unreleased): the delay is clamped to at least 1 ms, which is what Node did anyway.
 *
 * Run at install (root `postinstall`); idempotent; exits non-zero when kafkajs is not the version this
 * patch was written for, so an upgrade is noticed instead of silently unpatched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Each fix: the code as shipped, and as patched. */
export const FIXES = [
  {
    name: 'no check scheduled while nothing is pending',
    before: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {`,
    after: `    let scheduleAt = this.throttledUntil - Date.now()
    if (this.pending.length === 0) return
    if (!this.throttleCheckTimeoutId) {`,
  },
  {
    name: 'no negative timeout',
    before: `        this.checkPendingRequests()
      }, scheduleAt)`,
    after: `        this.checkPendingRequests()
      }, Math.max(1, scheduleAt))`,
  },
];

/** The patched source, or the same text when already patched; throws when the code is not found. */
export function patchSource(source) {
  let patched = source;
  for (const fix of FIXES) {
    if (patched.includes(fix.after)) continue;
    if (!patched.includes(fix.before))
      throw new Error(`kafkajs request queue: the code to patch was not found (${fix.name})`);
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
      `kafkajs ${version}: the request-queue patch is for 2.2.4; check whether upstream fixed the pending-check timer\n`,
    );
    process.exitCode = 1;
    return;
  }
  const file = join(root, 'src/network/requestQueue/index.js');
  const source = readFileSync(file, 'utf8');
  const patched = patchSource(source);
  if (patched !== source) writeFileSync(file, patched);
  process.stdout.write(
    `kafkajs ${version}: request-queue patch ${patched === source ? 'already applied' : 'applied'}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) main();
