import { gunzipSync } from 'node:zlib';
import {
  type BatchContext,
  type InboundMessage,
  type ProcessedMessage,
  RetryableError,
} from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { archiveObjectKey, createArchiveSink, ndjsonBytes } from './archive.sink.ts';
import type { ObjectStore } from './object.store.ts';
import type { ArchiveEntry } from './types.ts';

class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  failing = false;
  async put(key: string, body: Uint8Array | string) {
    if (this.failing) throw new Error('S3 down');
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
  lines(key: string): string[] {
    return gunzipSync(this.objects.get(key)!).toString('utf8').trim().split('\n');
  }
}

const TOPIC = 'feedback.enriched.v1';
const context: BatchContext = {
  topic: TOPIC,
  partition: 0,
  heartbeat: async () => undefined,
  log: createLogger({ service: 'test', level: 'silent' }),
};
const entries = (from: number, to: number, day = '2026-11-20'): ProcessedMessage<ArchiveEntry>[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({
    message: { topic: TOPIC, partition: 0, offset: String(from + i) } as InboundMessage,
    value: { day, line: `{"n":${from + i}}` },
  }));

describe('ndjsonBytes', () => {
  it('writes each line as UTF-8 followed by a newline, multi-byte text included', () => {
    const lines = ['{"text":"plain"}', '{"text":"物流太慢了 😞"}', '{"text":"naïve — café"}'];
    const bytes = ndjsonBytes(lines);
    expect(bytes.equals(Buffer.from(`${lines.join('\n')}\n`, 'utf8'))).toBe(true);
    expect(ndjsonBytes([]).length).toBe(0);
  });
});

describe('archive sink', () => {
  it('writes a complete window under a name made of topic, partition and offsets, and is durable through its end', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({ store, windowOffsets: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    const ack = await sink.write(entries(0, 12), context);
    expect(ack?.durableThrough).toBe('9');
    const key = archiveObjectKey('2026-11-20', TOPIC, 0, 0n, 9n);
    expect(key).toBe(
      `archive/enriched/dt=2026-11-20/${TOPIC}-p0-${'0'.repeat(20)}-${'9'.padStart(20, '0')}.ndjson.gz`,
    );
    expect([...store.objects.keys()]).toEqual([key]);
    expect(store.lines(key)).toHaveLength(10);
  });

  it('splits a window by event day', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({ store, windowOffsets: 4, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    await sink.write([...entries(0, 1, '2026-11-19'), ...entries(2, 3, '2026-11-20')], context);
    expect([...store.objects.keys()].map((k) => k.split('/')[2])).toEqual(['dt=2026-11-19', 'dt=2026-11-20']);
  });

  it('replaces a partial object by the complete one and keeps offsets at the window start meanwhile', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({ store, windowOffsets: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    await sink.write(entries(0, 9), context);
    expect((await sink.flush!(TOPIC, 0))?.durableThrough).toBe('9');
    await sink.write(entries(10, 13), context);
    const partial = await sink.flush!(TOPIC, 0);
    expect(partial?.durableThrough).toBe('9');
    expect(store.objects.has(archiveObjectKey('2026-11-20', TOPIC, 0, 10n, 13n))).toBe(true);
    const done = await sink.write(entries(14, 19), context);
    expect(done?.durableThrough).toBe('19');
    expect(store.objects.has(archiveObjectKey('2026-11-20', TOPIC, 0, 10n, 13n))).toBe(false);
    expect(store.lines(archiveObjectKey('2026-11-20', TOPIC, 0, 10n, 19n))).toHaveLength(10);
  });

  it('lets a new owner rewrite the same names and remove a partial object it did not write', async () => {
    const store = new MemoryStore();
    const first = createArchiveSink({ store, windowOffsets: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    await first.write(entries(0, 4), context);
    await first.flush!(TOPIC, 0);
    const before = [...store.objects.keys()];
    // The first owner dies; the next one re-reads from the committed offset (the window start).
    const second = createArchiveSink({ store, windowOffsets: 10, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    await second.write(entries(0, 9), context);
    expect([...store.objects.keys()]).toEqual([archiveObjectKey('2026-11-20', TOPIC, 0, 0n, 9n)]);
    expect(before).toEqual([archiveObjectKey('2026-11-20', TOPIC, 0, 0n, 4n)]);
    expect(store.lines(archiveObjectKey('2026-11-20', TOPIC, 0, 0n, 9n))).toEqual(
      entries(0, 9).map((e) => e.value.line),
    );
  });

  it('flushes early by size', async () => {
    const store = new MemoryStore();
    const sink = createArchiveSink({ store, windowOffsets: 1000, maxBytes: 30, maxAgeMs: 60_000 });
    const ack = await sink.write(entries(0, 5), context);
    expect(ack?.durableThrough).toBeNull();
    expect(store.objects.size).toBe(1);
  });

  it('writes a partial window again only when what arrived since its last write is old or large enough', async () => {
    const store = new MemoryStore();
    let puts = 0;
    const put = store.put.bind(store);
    store.put = async (key, body) => {
      puts += 1;
      await put(key, body);
    };
    let clock = 0;
    const sink = createArchiveSink({
      store,
      windowOffsets: 1000,
      maxBytes: 100,
      maxAgeMs: 1_000,
      now: () => clock,
    });
    await sink.write(entries(0, 0), context);
    clock = 1_000;
    await sink.write(entries(1, 1), context);
    expect(puts).toBe(1);
    // Later batches are young: the window as a whole is old, but what is not yet in S3 is not.
    for (let n = 2; n < 6; n += 1) {
      clock += 100;
      await sink.write(entries(n, n), context);
    }
    expect(puts).toBe(1);
    clock = 2_100;
    await sink.write(entries(6, 6), context);
    expect(puts).toBe(2);
    expect(store.lines(archiveObjectKey('2026-11-20', TOPIC, 0, 0n, 6n))).toHaveLength(7);
    // Size counts what arrived since the last write, too.
    await sink.write(entries(7, 12), context);
    expect(puts).toBe(2);
    await sink.write(entries(13, 20), context);
    expect(puts).toBe(3);
  });

  it('fails with a retryable S3 error when the store does not acknowledge', async () => {
    const store = new MemoryStore();
    store.failing = true;
    const sink = createArchiveSink({ store, windowOffsets: 5, maxBytes: 1 << 20, maxAgeMs: 60_000 });
    const error = await sink.write(entries(0, 4), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).dependency).toBe('s3');
  });
});
