import { describe, expect, it } from 'vitest';
import { startedBy } from './stack.ts';

describe('startedBy', () => {
  it('names only what the run started itself, never a stack it found running', () => {
    expect(startedBy({ services: { kafka: 'started', s3: 'started', redis: 'external' } })).toEqual([
      'kafka',
      's3',
    ]);
    expect(startedBy({ services: { kafka: 'reused', s3: 'reused', redis: 'reused' } })).toEqual([]);
    expect(startedBy({ services: { kafka: 'external', s3: 'started', redis: 'reused' } })).toEqual(['s3']);
  });
});
