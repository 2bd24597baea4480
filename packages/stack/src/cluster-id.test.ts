import { describe, expect, it } from 'vitest';
import { newClusterId } from './local-runtime.ts';

describe('newClusterId', () => {
  it('draws again when the id would start with "-" (kafka-storage would read it as an option)', () => {
    // 0xF8 = 111110 00: the first base64url character is index 62, "-".
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0x41)];
    expect(draws[0]!.toString('base64url').startsWith('-')).toBe(true);
    const id = newClusterId(() => draws.shift()!);
    expect(id).toBe(Buffer.alloc(16, 0x41).toString('base64url'));
    expect(draws).toEqual([]);
  });

  it('gives 22 URL-safe base64 characters, never starting with "-"', () => {
    // One id in 64 would start with "-" if drawn once: 10,000 draws would all but surely meet one.
    for (let i = 0; i < 10_000; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
