import { gunzipSync, gzipSync } from 'node:zlib';
import type { InboundMessage, ProcessedMessage } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { createArchiveSink } from './archive.sink.ts';
import {
  type ArchiveErasureProgress,
  customerMatcher,
  eraseFromArchive,
  withoutLines,
} from './archive-erasure.ts';
import type { ObjectStore } from './object.store.ts';
import type { ArchiveEntry } from './types.ts';

class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  async put(key: string, body: Uint8Array | string) {
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body) : body);
  }
  async list(prefix: string) {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async get(key: string) {
    return this.objects.get(key) ?? null;
  }
  async delete(keys: readonly string[]) {
    for (const k of keys) this.objects.delete(k);
  }
  text(key: string): string {
    return gunzipSync(this.objects.get(key)!).toString('utf8');
  }
}

const line = (n: number, key: string, ref: Record<string, string> = {}) =>
  JSON.stringify({ feedbackId: `f${n}`, customer: { key, ref } });
const job = { customerId: 'cus_1', emailKeys: ['hmac:e1'], handleKeys: ['hmac:h1'] };
const START: ArchiveErasureProgress = {
  after: undefined,
  objectsRead: 0,
  objectsRewritten: 0,
  objectsDeleted: 0,
  eventsRemoved: 0,
};

describe("finding a customer's archived events", () => {
  const matches = customerMatcher(job);
  it('by customer key, reference id, email or handle pseudonym, also when the event counted as unknown', () => {
    expect(matches(line(1, 'cus_1'))).toBe(true);
    expect(matches(line(2, 'unknown', { id: 'cus_1' }))).toBe(true);
    expect(matches(line(3, 'unknown', { email: 'hmac:e1' }))).toBe(true);
    expect(matches(line(4, 'unknown', { handle: 'hmac:h1' }))).toBe(true);
    expect(matches(line(5, 'cus_10', { id: 'cus_10' }))).toBe(false);
    expect(matches(line(6, 'unknown', { email: 'hmac:other' }))).toBe(false);
    expect(matches('not json')).toBe(false);
  });

  it('an address-only job (no id) never matches the anonymous customer', () => {
    const byEmail = customerMatcher({ customerId: '', emailKeys: ['hmac:e1'], handleKeys: [] });
    expect(byEmail(line(1, 'unknown'))).toBe(false);
    expect(byEmail(line(2, '', { id: '' }))).toBe(false);
  });

  it('removes the matching lines of an NDJSON text and counts them', () => {
    const text = `${line(1, 'cus_1')}\n${line(2, 'cus_2')}\n${line(3, 'cus_1')}\n`;
    expect(withoutLines(text, matches)).toEqual({ text: `${line(2, 'cus_2')}\n`, removed: 2, kept: 1 });
    expect(withoutLines(`${line(1, 'cus_1')}\n`, matches)).toEqual({ text: '', removed: 1, kept: 0 });
  });
});

describe('rewriting the archive without a customer', () => {
  const gz = (...lines: string[]) => gzipSync(`${lines.join('\n')}\n`);
  const build = () => {
    const store = new MemoryStore();
    store.objects.set('archive/enriched/dt=2026-02-10/a.ndjson.gz', gz(line(1, 'cus_1'), line(2, 'cus_2')));
    store.objects.set('archive/enriched/dt=2026-02-11/b.ndjson.gz', gz(line(3, 'cus_1')));
    store.objects.set('archive/enriched/dt=2026-02-12/c.ndjson.gz', gz(line(4, 'cus_3')));
    store.objects.set('feeds/other.json', Buffer.from(line(5, 'cus_1')));
    return store;
  };

  it('rewrites objects under the same name, deletes emptied ones, leaves others and other prefixes alone', async () => {
    const store = build();
    const untouched = store.objects.get('archive/enriched/dt=2026-02-12/c.ndjson.gz');
    const done = await eraseFromArchive(
      store,
      'archive/enriched',
      customerMatcher(job),
      START,
      async () => undefined,
    );
    expect(done).toMatchObject({ objectsRead: 3, objectsRewritten: 1, objectsDeleted: 1, eventsRemoved: 2 });
    expect(store.text('archive/enriched/dt=2026-02-10/a.ndjson.gz')).toBe(`${line(2, 'cus_2')}\n`);
    expect(store.objects.has('archive/enriched/dt=2026-02-11/b.ndjson.gz')).toBe(false);
    expect(store.objects.get('archive/enriched/dt=2026-02-12/c.ndjson.gz')).toBe(untouched);
    expect(store.objects.has('feeds/other.json')).toBe(true);
  });

  it('saves its position as it goes and resumes after it', async () => {
    const store = build();
    const saved: ArchiveErasureProgress[] = [];
    await eraseFromArchive(
      store,
      'archive/enriched',
      customerMatcher(job),
      START,
      async (p) => void saved.push(p),
      1,
    );
    expect(saved.map((p) => p.after)).toEqual([
      'archive/enriched/dt=2026-02-10/a.ndjson.gz',
      'archive/enriched/dt=2026-02-11/b.ndjson.gz',
      'archive/enriched/dt=2026-02-12/c.ndjson.gz',
    ]);
    // Resumed after the first object: only the two later ones are read.
    const fresh = build();
    const resumed = await eraseFromArchive(
      fresh,
      'archive/enriched',
      customerMatcher(job),
      saved[0]!,
      async () => undefined,
    );
    expect(resumed.objectsRead).toBe(3);
    expect(fresh.text('archive/enriched/dt=2026-02-10/a.ndjson.gz')).toContain('"cus_1"');
    expect(fresh.objects.has('archive/enriched/dt=2026-02-11/b.ndjson.gz')).toBe(false);
  });

  it('running again finds nothing more (idempotent)', async () => {
    const store = build();
    await eraseFromArchive(store, 'archive/enriched', customerMatcher(job), START, async () => undefined);
    const again = await eraseFromArchive(
      store,
      'archive/enriched',
      customerMatcher(job),
      START,
      async () => undefined,
    );
    expect(again).toMatchObject({ objectsRewritten: 0, objectsDeleted: 0, eventsRemoved: 0 });
  });
});

describe('the archive sink and erased customers', () => {
  const TOPIC = 'feedback.enriched.v1';
  const context = {
    topic: TOPIC,
    partition: 0,
    heartbeat: async () => undefined,
    log: createLogger({ service: 'test', level: 'silent' }),
  };
  const entry = (offset: number, customer: string): ProcessedMessage<ArchiveEntry> => ({
    message: { topic: TOPIC, partition: 0, offset: String(offset) } as InboundMessage,
    value: { day: '2026-02-10', line: line(offset, customer), markers: [`m-${customer}`] },
  });

  it('does not write again an event whose customer is erased (re-read after a restart), yet moves past it', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({
      store,
      windowOffsets: 2,
      maxBytes: 1 << 20,
      maxAgeMs: 60_000,
      erasedAmong: async (markers) => new Set(markers.filter((m) => m === 'm-cus_1')),
    });
    const ack = await sink.write([entry(0, 'cus_1'), entry(1, 'cus_2')], context);
    expect(ack?.durableThrough).toBe('1');
    const [key] = await store.list('archive/');
    expect(store.text(key!)).toBe(`${line(1, 'cus_2')}\n`);
  });

  it('forgets buffered lines of an erased customer and writes the window again without them', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({ store, windowOffsets: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    await sink.write([entry(0, 'cus_1'), entry(1, 'cus_2')], context);
    await sink.flush!(TOPIC, 0);
    const [partial] = await store.list('archive/');
    expect(store.text(partial!)).toContain('cus_1');
    expect(sink.forget(customerMatcher(job))).toBe(1);
    await sink.flush!(TOPIC, 0);
    const keys = await store.list('archive/');
    expect(keys).toHaveLength(1);
    expect(store.text(keys[0]!)).toBe(`${line(1, 'cus_2')}\n`);
  });
});
