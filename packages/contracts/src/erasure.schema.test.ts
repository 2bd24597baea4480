import { describe, expect, it } from 'vitest';
import { erasureKeys, erasureMarkerHash, erasureMarkersOf } from './erasure.schema.ts';

describe('erasure markers', () => {
  it('name a record by its customer key, reference id, email and handle, never in clear', () => {
    const markers = erasureMarkersOf({
      key: 'cus_1',
      ref: { id: 'cus_1', email: 'hmac:0123456789abcdef0123456789abcdef', handle: '@Jane' },
    });
    expect(markers).toEqual([
      erasureMarkerHash('id', 'cus_1'),
      erasureMarkerHash('email', 'hmac:0123456789abcdef0123456789abcdef'),
      erasureMarkerHash('handle', 'jane'),
    ]);
    for (const m of markers) expect(m).toMatch(/^[0-9a-f]{32}$/);
  });

  it('do not name the anonymous customer', () => {
    expect(erasureMarkersOf({ key: 'unknown', ref: {} })).toEqual([]);
  });

  it('share one hash tag, and the jobs, their stream and the audit log another', () => {
    const keys = erasureKeys('vf');
    expect(keys.marker('ab')).toBe('{vf:erased}:ab');
    for (const key of [keys.jobs, keys.job('e'), keys.seen('e'), keys.audit])
      expect(key.startsWith('{vf:erasure}:')).toBe(true);
  });
});
