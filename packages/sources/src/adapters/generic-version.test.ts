import { describe, expect, it } from 'vitest';
import { adaptGeneric } from './own-formats.adapter.ts';

const ctx = { receivedAt: '2026-11-30T10:00:00.000Z', mappings: {} };
const item = {
  id: 'r-1',
  kind: 'survey_response',
  occurredAt: '2026-11-30T09:00:00Z',
  customer: { id: 'cus-1' },
  scores: { nps: 9 },
};

function versionOf(body: unknown): number {
  const adapted = adaptGeneric(body, ctx);
  if (!adapted.ok) throw new Error(JSON.stringify(adapted.issues));
  return adapted.records[0]!.version;
}

describe('generic feedback versions', () => {
  it('orders explicit versions of the same id: version 2 replaces version 1', () => {
    expect(versionOf({ ...item, version: 2 })).toBeGreaterThan(versionOf({ ...item, version: 1 }));
    expect(versionOf({ ...item, version: 2, scores: { nps: 1 } })).toBe(2);
  });

  it('gives a retry with the same id and occurredAt and no version the same version (a redelivery)', () => {
    expect(versionOf({ ...item, scores: { nps: 0 } })).toBe(versionOf(item));
  });

  it('orders by updatedAt, after the original that had none', () => {
    const original = versionOf(item);
    const update = versionOf({ ...item, updatedAt: '2026-11-30T09:30:00Z' });
    const later = versionOf({ ...item, updatedAt: '2026-11-30T11:00:00Z' });
    expect(update).toBeGreaterThan(original);
    expect(later).toBeGreaterThan(update);
  });

  it('refuses version and updatedAt together, and a version that is not a positive integer', () => {
    const both = adaptGeneric({ ...item, version: 2, updatedAt: '2026-11-30T09:30:00Z' }, ctx);
    expect(both.ok).toBe(false);
    if (!both.ok) expect(both.issues.map((i) => i.message).join()).toMatch(/not both/);
    expect(adaptGeneric({ ...item, version: 1.5 }, ctx).ok).toBe(false);
    expect(adaptGeneric({ ...item, version: 0 }, ctx).ok).toBe(false);
  });
});
