import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { feedbackIdFor, versionFor } from './feedback-id.ts';
import { loadMappings, MappingError, mappingFor, resolveAnswers } from './mapping.ts';

const write = (content: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'vf-mappings-')), 'mappings.json');
  writeFileSync(path, content);
  return path;
};

describe('mappings', () => {
  it('loads a file and merges a form entry over the source wildcard', () => {
    const path = write(
      JSON.stringify({ typeform: { '*': { customer: { id: 'uid' }, comment: 'c' }, f1: { nps: 'q1' } } }),
    );
    const m = mappingFor(loadMappings(path), 'typeform', 'f1');
    expect(m).toMatchObject({ nps: 'q1', comment: 'c', customer: { id: 'uid' } });
    expect(loadMappings(undefined)).toEqual({});
  });
  it('reports every problem of an invalid file with its path', () => {
    const path = write(JSON.stringify({ typeform: { f1: { nps: 3, colour: 'red' } }, myspace: {} }));
    expect(() => loadMappings(path)).toThrow(MappingError);
    expect(() => loadMappings(path)).toThrow(/typeform\.f1/);
  });
  it('maps another CSAT scale onto 1–5 and ignores an NPS value out of range', () => {
    const r = resolveAnswers(
      [
        { questionId: 'a', type: 'rating', value: 10 },
        { questionId: 'b', type: 'opinion_scale', value: 12 },
      ],
      { csat: { question: 'a', scale: [0, 10] }, nps: 'b' },
    );
    expect(r.scores).toEqual({ csat: 5 });
    expect(r.answers.map((a) => a.role)).toEqual(['csat', 'nps']);
  });
});

describe('feedback ids and versions', () => {
  it('hashes ids that are too long or unsafe, the same way every time', () => {
    expect(feedbackIdFor('generic', 'abc')).toBe('generic:abc');
    const long = feedbackIdFor('generic', 'x'.repeat(200));
    expect(long).toMatch(/^generic:h:[0-9a-f]{40}$/);
    expect(feedbackIdFor('generic', 'x'.repeat(200))).toBe(long);
    expect(feedbackIdFor('mention', 'x', 'https://x.com/a b')).toMatch(/^mention:h:/);
  });
  it('orders by provider time first, then by stage', () => {
    expect(versionFor('2026-01-15T10:00:00Z', 2)).toBeLessThan(versionFor('2026-01-15T10:00:00.001Z', 0));
    expect(versionFor('2026-01-15T10:00:00Z', 0)).toBeLessThan(versionFor('2026-01-15T10:00:00Z', 1));
  });
});
