import { describe, expect, it } from 'vitest';
import { FIELDS, UPDATED_FIELD } from './metrics.ts';
import { addInto, compileFields, decodeSlot, encodeSlot, isAlive } from './shard-state.ts';

describe('shard state slots', () => {
  it('adds and subtracts contributions and stores only the non-zero counters plus the update time', () => {
    const slot = decodeSlot(null);
    expect(isAlive(slot)).toBe(false);
    const first = compileFields({
      [FIELDS.count]: 1,
      [FIELDS.npsPromoters]: 1,
      'ch:email': 1,
      'a:price:s': -250_000,
    });
    const second = compileFields({ [FIELDS.count]: 1, [FIELDS.npsDetractors]: 1, 'ch:email': 1 });
    addInto(slot, first, 1);
    addInto(slot, second, 1);
    addInto(slot, first, -1);
    expect(isAlive(slot)).toBe(true);
    const stored = JSON.parse(encodeSlot(slot, 1_700_000_000_000)) as Record<string, number>;
    expect(stored).toEqual({
      [FIELDS.count]: 1,
      [FIELDS.npsDetractors]: 1,
      'ch:email': 1,
      [UPDATED_FIELD]: 1_700_000_000_000,
    });
  });

  it('reads back what it wrote, without the update time', () => {
    const slot = decodeSlot(null);
    addInto(slot, compileFields({ [FIELDS.count]: 3, [FIELDS.sentimentSum]: 1_500_000, 'ch:survey': 3 }), 1);
    const again = decodeSlot(encodeSlot(slot, 5));
    expect(JSON.parse(encodeSlot(again, 5))).toEqual(JSON.parse(encodeSlot(slot, 5)));
    addInto(
      again,
      compileFields({ [FIELDS.count]: 3, [FIELDS.sentimentSum]: 1_500_000, 'ch:survey': 3 }),
      -1,
    );
    expect(isAlive(again)).toBe(false);
    expect(encodeSlot(again, 9)).toBe(`{"${UPDATED_FIELD}":9}`);
  });
});
