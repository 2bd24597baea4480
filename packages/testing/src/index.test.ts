import { describe, expect, it } from 'vitest';
import { redisGlobEscape, testNamespace } from './index.ts';

describe('testNamespace', () => {
  it('makes a unique prefix that is legal in topic names', () => {
    const a = testNamespace('Counts a Redelivered Response once!');
    const b = testNamespace('Counts a Redelivered Response once!');
    expect(a).toMatch(/^t-counts-a-redelivered-response-once-[0-9a-f]{8}\.$/);
    expect(a).not.toBe(b);
    expect(`${a}feedback.raw.v1`).toMatch(/^[a-zA-Z0-9._-]{1,249}$/);
  });
});

describe('redisGlobEscape', () => {
  it('escapes glob characters', () => {
    expect(redisGlobEscape('t-a*?[x]\\.')).toBe('t-a\\*\\?\\[x\\]\\\\.');
  });
});
