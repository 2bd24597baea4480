import { describe, expect, it } from 'vitest';
import { contributionOf } from './contribution.ts';
import { planShardErasure, withoutCustomer } from './customer-erasure.ts';
import { createKeyspace } from './keys.ts';
import { enrichedItem } from './test-items.ts';

const keyspace = createKeyspace({ keyPrefix: 'vf', shards: 2 });
const rec = (c: string, s: string[], d: string, x?: string[]) =>
  JSON.stringify({ v: 1, r: 0, c, s, g: [], h: `${d}T10`, d, f: { count: 1 }, ...(x ? { x } : {}) });

describe('erasing a customer from one shard', () => {
  const keys = [
    '{vf:s1}:r:c:cus_1:a',
    '{vf:s1}:r:c:cus_1:d:2026-02-10',
    '{vf:s1}:r:c:cus_1:h:2026-02-10T10',
    '{vf:s1}:r:c:cus_10:a',
    '{vf:s1}:r:o:a',
    '{vf:s1}:lf:cus_1',
    '{vf:s1}:lf:cus_10',
    '{vf:s1}:day:2026-02-10',
  ];
  const versions: [string, string][] = [
    ['f1', rec('cus_1', ['o', 'c:cus_1', 's:tier:gold'], '2026-02-10', ['*|*', '*|negative'])],
    ['f2', rec('cus_10', ['o', 'c:cus_10'], '2026-02-11', ['*|*'])],
    ['f3', rec('cus_1', ['o', 'c:cus_1'], '2026-01-03')],
  ];
  const plan = planShardErasure(keyspace, 1, 'cus_1', keys, versions, ['f1', 'f9']);

  it("deletes the customer's rollup buckets and latest list, and no other customer's whose id starts the same", () => {
    expect(plan.deleteKeys.sort()).toEqual(
      [
        '{vf:s1}:lf:cus_1',
        '{vf:s1}:r:c:cus_1:a',
        '{vf:s1}:r:c:cus_1:d:2026-02-10',
        '{vf:s1}:r:c:cus_1:h:2026-02-10T10',
      ].sort(),
    );
    expect(plan.dayMemberKeys).toEqual(['{vf:s1}:day:2026-02-10']);
  });

  it("takes their items out of every overall and segment verbatim list, and drops summaries of the latest list's items", () => {
    expect(plan.feedbackIds.sort()).toEqual(['f1', 'f3', 'f9']);
    expect(Object.fromEntries(plan.verbatimRemovals)).toEqual({
      '{vf:s1}:vl:o|*|*': ['f1'],
      '{vf:s1}:vl:o|*|negative': ['f1'],
      '{vf:s1}:vl:s:tier:gold|*|*': ['f1'],
      '{vf:s1}:vl:s:tier:gold|*|negative': ['f1'],
    });
  });

  it('keeps their version records, anonymized, so the overall and segment counts can still be replaced', () => {
    const f1 = JSON.parse(plan.versions.get('f1')!);
    expect(f1).toEqual({
      v: 1,
      r: 0,
      c: 'unknown',
      s: ['o', 's:tier:gold'],
      g: [],
      h: '2026-02-10T10',
      d: '2026-02-10',
      f: { count: 1 },
    });
    expect(plan.versions.has('f2')).toBe(false);
    expect(JSON.stringify([...plan.versions.values()])).not.toContain('cus_1');
  });

  it('marks the days of their items and buckets for the feeds', () => {
    expect([...plan.days].sort()).toEqual(['2026-01-03', '2026-02-10']);
  });

  it('finds nothing to do for a customer the shard does not hold', () => {
    const none = planShardErasure(keyspace, 1, 'cus_404', keys, versions, []);
    expect(none.deleteKeys).toEqual([]);
    expect(none.feedbackIds).toEqual([]);
    expect(none.versions.size).toBe(0);
  });
});

describe('a contribution of an erased customer', () => {
  it('counts under unknown with the same numbers, in the same overall and segment rollups, without the comment', () => {
    const c = contributionOf(
      enrichedItem({
        customer: { ref: { id: 'cus_1' }, key: 'cus_1', profile: null },
        texts: [{ field: 'comment', text: 'late again' }],
      }),
    );
    const anonymous = withoutCustomer(c);
    expect(anonymous.customerKey).toBe('unknown');
    expect(anonymous.rollupIds).toEqual(c.rollupIds.map((rid) => (rid === 'c:cus_1' ? 'c:unknown' : rid)));
    expect(anonymous.fields).toBe(c.fields);
    expect(anonymous.verbatim).toBeUndefined();
    expect(JSON.stringify(anonymous)).not.toContain('cus_1');
  });
});
