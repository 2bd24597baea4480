import type { EnrichedFeedback } from '@vocflow/contracts';
import { type OutboundMessage, RecordsRejectedError, type VocflowProducer } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_RULES } from './alerts.rules.ts';
import { CustomerTable, type RefKey, refKeys } from './customer-table.store.ts';
import { createLinkingWorker, type LinkingWorkerDeps, singleFlight } from './linking.worker.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from './test-fixtures.ts';
import type { UnlinkedStore } from './unlinked.store.ts';

const logger = createLogger({ service: 'test', level: 'silent' });

/** An in-memory UnlinkedStore with the Redis store's semantics. */
function memoryStore(): UnlinkedStore & {
  readonly hashes: Map<string, Map<string, EnrichedFeedback>>;
  /** The keys a scan read the items of. */
  readonly reads: string[];
} {
  const hashes = new Map<string, Map<string, EnrichedFeedback>>();
  const reads: string[] = [];
  const keyOf = (ref: RefKey) => `${ref.kind}:${ref.value}`;
  return {
    hashes,
    reads,
    async park(records) {
      for (const r of records)
        for (const ref of refKeys(r.customer.ref)) {
          const hash = hashes.get(keyOf(ref)) ?? new Map();
          hash.set(r.feedbackId, r);
          hashes.set(keyOf(ref), hash);
        }
    },
    async find(keys) {
      const out = new Map<string, EnrichedFeedback>();
      for (const k of keys) for (const [id, r] of hashes.get(keyOf(k)) ?? []) out.set(id, r);
      return [...out.values()];
    },
    async remove(record) {
      for (const ref of refKeys(record.customer.ref)) {
        const hash = hashes.get(keyOf(ref));
        if (hash?.get(record.feedbackId) === record) hash.delete(record.feedbackId);
        if (hash?.size === 0) hashes.delete(keyOf(ref));
      }
    },
    // One key per page, in key order; the cursor is the index of the next key.
    async *scan(from, wanted) {
      const keys = [...hashes.keys()].sort();
      for (let i = Number(from?.cursor ?? 0); i < keys.length; i++) {
        const next = i + 1 < keys.length ? { node: 0, cursor: String(i + 1) } : undefined;
        const [kind, ...value] = keys[i]!.split(':');
        const read = !wanted || wanted({ kind: kind as RefKey['kind'], value: value.join(':') });
        if (read) reads.push(keys[i]!);
        yield { records: read ? [...(hashes.get(keys[i]!)?.values() ?? [])] : [], keys: 1, next };
      }
    },
  };
}

function recordingProducer(
  fail = false,
): VocflowProducer & { sent: { topic: string; message: OutboundMessage }[] } {
  const sent: { topic: string; message: OutboundMessage }[] = [];
  return {
    sent,
    async send(topic, messages) {
      if (fail) throw new Error('kafka down');
      for (const message of messages) sent.push({ topic, message });
    },
    async sendBatch(batches) {
      if (fail) throw new Error('kafka down');
      for (const b of batches) for (const message of b.messages) sent.push({ topic: b.topic, message });
    },
    connect: async () => undefined,
    disconnect: async () => undefined,
    isConnected: () => true,
  };
}

async function unknownRecord(customers: CustomerTable): Promise<EnrichedFeedback> {
  const pipeline = createEnrichmentPipeline({
    analyzer: keywordAnalyzer,
    customers,
    redactor: createPiiRedactor({ enabled: true }),
    segmentRules: [],
    alertRules: DEFAULT_ALERT_RULES,
  });
  const result = await pipeline(
    inbound(rawFeedback({ customer: { email: 'ops@acme.example', handle: '@acmecorp' } })),
  );
  if (result.kind !== 'ok') throw new Error('expected ok');
  return result.value.enriched;
}

describe('linking worker', () => {
  const setup = (fail = false, extra: Partial<LinkingWorkerDeps> = {}) => {
    const customers = new CustomerTable();
    const store = memoryStore();
    const producer = recordingProducer(fail);
    const linker = createLinkingWorker({
      customers,
      store,
      producer,
      topics: { enriched: 'enriched', alerts: 'alerts' },
      segmentRules: [],
      alertRules: DEFAULT_ALERT_RULES,
      sweepIntervalMs: 60_000,
      logger,
      ...extra,
    });
    return { customers, store, producer, linker };
  };

  it('re-emits a waiting item with revision + 1, the profile and its segments, then forgets it', async () => {
    const { customers, store, producer, linker } = setup();
    const record = await unknownRecord(customers);
    await store.park([record]);
    expect(store.hashes.size).toBe(2);
    customers.upsert(profile());
    linker.onProfile(profile());
    await linker.close();
    const emitted = producer.sent
      .filter((s) => s.topic === 'enriched')
      .map((s) => JSON.parse(String(s.message.value)));
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({ revision: 1, version: 1, customer: { key: 'cus-acme' } });
    expect(emitted[0].segments).toContain('tier:enterprise');
    // Everything else is the parked record as it was (texts redacted once, scores and sentiment kept).
    const { revision: _r, enrichedAt: _e, customer: _c, segments: _s, ...rest } = emitted[0];
    const { revision: _pr, enrichedAt: _pe, customer: _pc, segments: _ps, ...parked } = record;
    expect(rest).toEqual(parked);
    expect(store.hashes.size).toBe(0);
  });

  it('produces only the alerts that fire because the profile is now known', async () => {
    const { customers, store, producer, linker } = setup();
    const record = await unknownRecord(customers);
    await store.park([record]);
    customers.upsert(profile());
    await linker.sweep();
    const rules = producer.sent
      .filter((s) => s.topic === 'alerts')
      .map((s) => JSON.parse(String(s.message.value)).rule);
    expect(rules).toEqual(['enterprise-strongly-negative']);
  });

  it('keeps the item waiting when producing fails, so a later attempt links it', async () => {
    const { customers, store, linker } = setup(true);
    const record = await unknownRecord(customers);
    await store.park([record]);
    customers.upsert(profile());
    await expect(linker.linkParked([record])).rejects.toThrow('kafka down');
    expect(store.hashes.size).toBe(2);
  });

  it('sweeps a bounded number of keys per run and resumes where the last run stopped', async () => {
    const { customers, store, linker } = setup(false, { sweepMaxKeys: 1 });
    const record = await unknownRecord(customers);
    // Three waiting items, each filed under its own email only (one key each).
    const emails = ['a@x.example', 'b@x.example', 'c@x.example'];
    await store.park(
      emails.map((email, i) => ({
        ...record,
        feedbackId: `fb-${i}`,
        customer: { ...record.customer, ref: { email } },
      })),
    );
    for (const email of emails) customers.upsert(profile({ id: `cus-${email}`, email, handles: [] }));
    expect(store.hashes.size).toBe(3);
    expect(await linker.sweep()).toBe(1);
    expect(store.hashes.size).toBe(2);
    expect(await linker.sweep()).toBe(1);
    expect(await linker.sweep()).toBe(1);
    expect(store.hashes.size).toBe(0);
  });

  it('raises no alert again for a version whose alerts were already raised', async () => {
    const { customers, store, producer, linker } = setup();
    const record = await unknownRecord(customers);
    await store.park([record]);
    customers.upsert(profile());
    await linker.linkParked([record]);
    await store.park([record]);
    await linker.linkParked([record]);
    expect(producer.sent.filter((s) => s.topic === 'alerts')).toHaveLength(1);
  });

  it('leaves items whose profile is still unknown, without reading them', async () => {
    const { customers, store, producer, linker } = setup();
    await store.park([await unknownRecord(customers)]);
    customers.upsert(profile({ id: 'someone-else', email: 'x@y.example', handles: [] }));
    expect(await linker.sweep()).toBe(0);
    expect(producer.sent).toEqual([]);
    expect(store.reads).toEqual([]);
    expect(store.hashes.size).toBe(2);
    // Once a profile answers to one of its references, that key is read and the item linked.
    customers.upsert(profile({ id: 'ops', email: 'ops@acme.example', handles: [] }));
    expect(await linker.sweep()).toBe(1);
    expect(store.reads).toEqual(['email:ops@acme.example']);
  });

  it('drops a parked record that breaks the contract once rebuilt, and still links the others', async () => {
    const { customers, store, producer, linker } = setup();
    const good = await unknownRecord(customers);
    const bad = { ...good, feedbackId: 'fb-bad', occurredAt: 'not a time' };
    await store.park([bad, good]);
    customers.upsert(profile());
    expect(await linker.sweep()).toBe(1);
    const emitted = producer.sent.filter((s) => s.topic === 'enriched').map((s) => s.message.key);
    expect(emitted).toEqual([good.feedbackId]);
    expect(store.hashes.size).toBe(0);
  });

  it('forgets an item whose re-emitted record the broker refuses for good, and links the others', async () => {
    const { customers, store, producer, linker } = setup();
    const record = await unknownRecord(customers);
    const big = { ...record, feedbackId: 'fb-big' };
    await store.park([big, record]);
    customers.upsert(profile());
    const sendBatch = producer.sendBatch;
    producer.sendBatch = async (batches) => {
      const enriched = batches.find((b) => b.topic === 'enriched')!.messages;
      const index = enriched.findIndex((m) => m.key === 'fb-big');
      await sendBatch(batches.map((b) => ({ ...b, messages: b.messages.filter((m) => m.key !== 'fb-big') })));
      throw new RecordsRejectedError([
        { topic: 'enriched', index, reason: 'record_too_large', detail: 'over the limit' },
      ]);
    };
    expect(await linker.linkParked([big, record])).toBe(1);
    expect(producer.sent.filter((s) => s.topic === 'enriched').map((s) => s.message.key)).toEqual([
      record.feedbackId,
    ]);
    expect(store.hashes.size).toBe(0);
    // Only the linked item's alert: the fake broker took nothing of the refused one.
    expect(producer.sent.filter((s) => s.topic === 'alerts').map((s) => s.message.key)).toEqual([
      record.feedbackId,
    ]);
  });

  it('sweeps once at start, then closes once: the same promise, after which profiles are ignored', async () => {
    const { customers, store, producer, linker } = setup();
    const record = await unknownRecord(customers);
    await store.park([record]);
    customers.upsert(profile());
    await linker.start();
    expect(store.hashes.size).toBe(0);
    expect(producer.sent.filter((s) => s.topic === 'enriched')).toHaveLength(1);
    const closing = linker.close();
    expect(linker.close()).toBe(closing);
    await closing;
    await store.park([{ ...record, feedbackId: 'fb-after-close' }]);
    linker.onProfile(profile());
    await linker.close();
    expect(store.hashes.size).toBe(2);
  });

  it('logs a failed profile link instead of throwing, and leaves the item for the next sweep', async () => {
    const { customers, store, linker } = setup(true);
    await store.park([await unknownRecord(customers)]);
    customers.upsert(profile());
    linker.onProfile(profile());
    await linker.close();
    expect(store.hashes.size).toBe(2);
  });

  it('never overlaps sweeps: a sweep asked for while one runs joins it', async () => {
    const { linker } = setup();
    const first = linker.sweep();
    expect(linker.sweep()).toBe(first);
    expect(await first).toBe(0);
  });
});

describe('singleFlight', () => {
  it('runs one sweep at a time: a call while one runs joins it', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const once = singleFlight(async () => {
      runs++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return runs;
    });
    const first = once();
    const second = once();
    expect(second).toBe(first);
    release();
    expect(await first).toBe(1);
    const third = once();
    release();
    expect(await third).toBe(2);
  });
});

describe('customer table', () => {
  it('re-indexes a profile whose email and handles changed, and forgets deleted profiles', () => {
    const table = new CustomerTable();
    table.upsert(profile());
    table.upsert(profile({ email: 'new@acme.example', handles: ['@acme_new'] }));
    expect(table.resolve({ email: 'ops@acme.example' })).toBeUndefined();
    expect(table.resolve({ email: 'NEW@acme.example' })?.id).toBe('cus-acme');
    expect(table.resolve({ handle: 'AcmeCorp' })).toBeUndefined();
    expect(table.resolve({ handle: '@ACME_NEW' })?.id).toBe('cus-acme');
    table.delete('cus-acme');
    expect(table.resolve({ id: 'cus-acme' })).toBeUndefined();
    expect(table.resolve({ email: 'new@acme.example' })).toBeUndefined();
    expect(table.size).toBe(0);
  });
});
