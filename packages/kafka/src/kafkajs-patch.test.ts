import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types, run by the root postinstall
import { AFTER, BEFORE, patchSource } from '../patches/kafkajs-timeout-negative.mjs';

describe('the kafkajs TimeoutNegativeWarning patch', () => {
  it('clamps the request-queue delay and is idempotent', () => {
    const source = `a\n${BEFORE}\nb`;
    const once = patchSource(source);
    expect(once).toContain(AFTER);
    expect(patchSource(once)).toBe(once);
    expect(() => patchSource('other code')).toThrow(/not found/);
  });

  it('is applied to the installed kafkajs', () => {
    const file = createRequire(import.meta.url).resolve('kafkajs/src/network/requestQueue/index.js');
    expect(readFileSync(file, 'utf8')).toContain(AFTER);
  });
});
