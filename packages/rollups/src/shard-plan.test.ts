import { describe, expect, it } from 'vitest';
import { type Contribution, contributionOf } from './contribution.ts';
import { createKeyspace } from './keys.ts';
import {
  encodeShardWrite,
  planShardWrite,
  type ShardState,
  type VersionRecord,
  versionRecordOf,
} from './shard-plan.ts';
import { ALL, DAY, decodeSlot, HOUR, isAlive, newRollupCache, setSlot, slotIn } from './shard-state.ts';
import { enrichedItem } from './test-items.ts';

const keys = createKeyspace({ keyPrefix: 'plan-test', shards: 1 });
const shard = 0;
const ctx = { keys, shard, latestPerCustomer: 2, kept: () => true };

function emptyState(): ShardState {
  return { token: 'tok', versions: new Map(), rollups: new Map(), lists: new Map(), batches: 0 };
}

/** What the writer's load does: every version, bucket and list the records need, as Redis had them (empty). */
function load(state: ShardState, batch: readonly Contribution[], recs: readonly VersionRecord[]) {
  for (const c of batch) if (!state.versions.has(c.feedbackId)) state.versions.set(c.feedbackId, null);
  for (const rec of recs) {
    for (const rid of rec.s) {
      const cache = state.rollups.get(rid) ?? newRollupCache();
      state.rollups.set(rid, cache);
      if (!cache.all) setSlot(cache, ALL, '', decodeSlot(null));
      if (!slotIn(cache, DAY, rec.d)) setSlot(cache, DAY, rec.d, decodeSlot(null));
      if (!slotIn(cache, HOUR, rec.h)) setSlot(cache, HOUR, rec.h, decodeSlot(null));
    }
    const list = keys.latest(shard, rec.c);
    if (!state.lists.has(list)) state.lists.set(list, 0);
  }
}

function plan(state: ShardState, batch: Contribution[]) {
  state.batches += 1;
  const recs = batch.map(versionRecordOf);
  load(state, batch, recs);
  const prevs = batch.map((c) => state.versions.get(c.feedbackId)).filter((p) => !!p);
  load(state, [], prevs);
  return planShardWrite(state, batch, recs, ctx);
}

const encode = (p: ReturnType<typeof plan>) =>
  encodeShardWrite(p, {
    keys,
    shard,
    token: 'tok',
    now: Date.parse('2026-11-21T00:00:00Z'),
    latestPerCustomer: 2,
    verbatimsPerScope: 5,
    expiresAt: () => 4_000_000_000_000,
  });

describe('planShardWrite', () => {
  it('adds a new item to the all-time, day and hour bucket of each of its rollups', () => {
    const state = emptyState();
    const c = contributionOf(enrichedItem());
    const p = plan(state, [c]);
    expect(p.applied).toBe(1);
    expect(p.buckets.map((b) => `${b.rid} ${b.kind} ${b.bucket} ${b.alive} ${b.wasAlive}`).sort()).toEqual(
      c.rollupIds
        .flatMap((rid) => [
          `${rid} ${ALL}  true false`,
          `${rid} ${DAY} ${c.day} true false`,
          `${rid} ${HOUR} ${c.hour} true false`,
        ])
        .sort(),
    );
    expect([...p.days]).toEqual([c.day]);
    expect([...p.customers]).toEqual([c.customerKey]);
    expect(state.versions.get(c.feedbackId)).toEqual(versionRecordOf(c));
    expect(p.listAdds.get(keys.latest(shard, c.customerKey))).toEqual(
      new Map([[c.feedbackId, c.occurredAtMs]]),
    );
  });

  it('changes nothing for a version that is not newer than the recorded one', () => {
    const state = emptyState();
    plan(state, [contributionOf(enrichedItem({ version: 2 }))]);
    const p = plan(state, [
      contributionOf(enrichedItem({ version: 1 })),
      contributionOf(enrichedItem({ version: 2 })),
    ]);
    expect(p.applied).toBe(0);
    expect(p.buckets).toEqual([]);
  });

  it('subtracts the replaced version: its emptied buckets are deleted and it leaves its old customer list', () => {
    const state = emptyState();
    const first = contributionOf(enrichedItem());
    plan(state, [first]);
    const moved = contributionOf(
      enrichedItem({
        version: 2,
        occurredAt: '2026-11-19T08:00:00Z',
        customer: { ref: { id: 'cust-2' }, key: 'cust-2', profile: null },
      }),
    );
    const p = plan(state, [moved]);
    expect(p.applied).toBe(1);
    const oldDay = p.buckets.find((b) => b.rid === 'o' && b.kind === DAY && b.bucket === first.day)!;
    expect(oldDay.alive).toBe(false);
    expect(oldDay.wasAlive).toBe(true);
    expect(oldDay.slot.values).toEqual([]);
    const overall = p.buckets.find((b) => b.rid === 'o' && b.kind === ALL)!;
    expect(isAlive(overall.slot)).toBe(true);
    expect([...p.days].sort()).toEqual([moved.day, first.day].sort());
    expect(p.listRemoves.get(keys.latest(shard, 'cust-1'))).toEqual([first.feedbackId]);

    const ops = encode(p);
    expect(ops[0]).toBe('tok');
    const at = ops.indexOf('SREM');
    expect(ops.slice(at, at + 3)).toEqual([
      'SREM',
      keys.dayMembers(shard, first.day),
      String(first.rollupIds.length),
    ]);
    expect(ops).toContain('DEL');
    expect(ops).toContain('ZREM');
  });

  it('trims a latest-feedback list only once it holds more than twice the cap', () => {
    const state = emptyState();
    const item = (n: number) => contributionOf(enrichedItem({ feedbackId: `fb-${n}` }));
    const list = keys.latest(shard, 'cust-1');
    const p1 = plan(state, [item(1), item(2), item(3), item(4)]);
    expect(p1.listTrims.has(list)).toBe(false);
    expect(state.lists.get(list)).toBe(4);
    expect(encode(p1)).not.toContain('TRIM');
    const p2 = plan(state, [item(5)]);
    expect(p2.listTrims.has(list)).toBe(true);
    expect(state.lists.get(list)).toBe(2);
    const ops = encode(p2);
    const at = ops.indexOf('TRIM');
    expect(ops.slice(at, at + 5)).toEqual(['TRIM', list, '2', '2', keys.summaries(shard)]);
  });
});

describe('encodeShardWrite', () => {
  it('splits an argument list over the per-command limit into several commands', () => {
    const state = emptyState();
    const batch = Array.from({ length: 2_500 }, (_, n) =>
      contributionOf(enrichedItem({ feedbackId: `fb-${n}` })),
    );
    const ops = encode(plan(state, batch));
    const hsets = ops.flatMap((op, i) =>
      op === 'HSET' && ops[i + 1] === keys.versions(shard) ? [ops[i + 2]] : [],
    );
    expect(hsets).toEqual(['4000', '1000']);
  });
});
