import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain ESM script without types, run by the root postinstall
import { FIXES, patchSource } from '../patches/kafkajs.mjs';

type Fix = { name: string; file: string; before: string; after: string };
const fixes = FIXES as Fix[];
const require = createRequire(import.meta.url);

/** CRC-32C a bit at a time (the polynomial 0x82F63B78, reflected): the reference. */
function reference(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

/**
 * A kafkajs module as shipped: its installed source with every fix undone, loaded beside the installed
 * one; `stubs` answers its `require`s of other kafkajs modules by the ending of the path asked for.
 */
function shipped<T>(file: string, stubs: Record<string, unknown> = {}): T {
  const path = require.resolve(`kafkajs/${file}`);
  let source = readFileSync(path, 'utf8');
  for (const fix of fixes.filter((f) => f.file === file)) {
    if (!source.includes(fix.after)) throw new Error(`${file}: not patched as the fix says (${fix.name})`);
    source = source.replace(fix.after, fix.before);
  }
  const module = new Module(path) as Module & { _compile(code: string, name: string): void };
  module.filename = path;
  module.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path);
  module.require = ((id: string) => {
    const stub = Object.entries(stubs).find(([ending]) => id.endsWith(ending));
    return stub ? stub[1] : Module.prototype.require.call(module, id);
  }) as NodeJS.Require;
  module._compile(source, path);
  return module.exports as T;
}

describe('the kafkajs patches', () => {
  it('apply every fix to its file and are idempotent', () => {
    for (const file of new Set(fixes.map((f) => f.file))) {
      const own = fixes.filter((f) => f.file === file);
      const source = `a\n${own.map((f) => f.before).join('\n')}\nb`;
      const once = patchSource(file, source);
      for (const fix of own) expect(once).toContain(fix.after);
      expect(patchSource(file, once)).toBe(once);
      expect(() => patchSource(file, 'other code')).toThrow(/not found/);
    }
  });

  it('are applied to the installed kafkajs, each once', () => {
    for (const fix of fixes) {
      const source = readFileSync(require.resolve(`kafkajs/${fix.file}`), 'utf8');
      expect(source.split(fix.after)).toHaveLength(2);
    }
  });

  type Queue = {
    checkPendingRequests(): void;
    scheduleRequestTimeoutCheck(): void;
    push(request: object): void;
    fulfillRequest(response: object): void;
    destroy(): void;
    throttleCheckTimeoutId: unknown;
    requestTimeoutIntervalId: unknown;
  };
  const newQueue = (requestTimeout: number, enforceRequestTimeout: boolean): Queue => {
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js');
    const logger = { debug() {}, info() {}, warn() {}, error() {}, namespace: () => logger };
    return new RequestQueue({
      instrumentationEmitter: { emit() {} },
      maxInFlightRequests: 1,
      requestTimeout,
      enforceRequestTimeout,
      clientId: 'test',
      broker: 'localhost:9092',
      logger,
      isConnected: () => true,
    });
  };
  /** A request as a connection pushes it; `outcome` settles when it is answered, refused or timed out. */
  const request = (correlationId: number) => {
    let settle: (value: string) => void = () => undefined;
    const outcome = new Promise<string>((resolve) => {
      settle = resolve;
    });
    const entry = {
      correlationId,
      apiKey: 1,
      apiName: 'Fetch',
      apiVersion: 11,
      resolve: () => settle('answered'),
      reject: (error: Error) => settle(error.name),
    };
    return { pushed: { entry, expectResponse: true, sendRequest: () => undefined }, outcome };
  };

  it('leaves an idle request queue without a timer', async () => {
    const queue = newQueue(1_000, false);
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId ?? null).toBeNull();
    queue.destroy();
  });

  it('checks request timeouts only while a request is in flight, and still times a stuck one out', async () => {
    const queue = newQueue(40, true);
    queue.scheduleRequestTimeoutCheck();
    // Connected, nothing in flight: no timer (kafkajs ran one every 100 ms for every connection).
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    const answered = request(1);
    queue.push(answered.pushed);
    expect(queue.requestTimeoutIntervalId ?? null).not.toBeNull();
    queue.fulfillRequest({ correlationId: 1, payload: null, size: 0 });
    expect(await answered.outcome).toBe('answered');
    // The next check finds nothing in flight and stops.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    // A request nobody answers times out (40 ms, checked every 4 ms).
    const stuck = request(2);
    const started = Date.now();
    queue.push(stuck.pushed);
    expect(await stuck.outcome).toBe('KafkaJSRequestTimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(queue.requestTimeoutIntervalId ?? null).toBeNull();
    queue.destroy();
  });

  it('checksums as CRC-32C does, at every length and alignment', () => {
    const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/index.js') as (b: Buffer) => number;
    // The check value of the CRC-32C catalogue.
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    let seed = 1;
    const byte = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
      return seed >>> 16;
    };
    const data = Buffer.from(Array.from({ length: 5_000 }, () => byte() & 0xff));
    for (let length = 0; length <= 70; length += 1)
      for (const start of [0, 1, 3, 7]) {
        const part = data.subarray(start, start + length);
        expect(crc32C(part)).toBe(reference(part));
      }
    expect(crc32C(data)).toBe(reference(data));
    expect(crc32C(Buffer.alloc(4_096, 0xff))).toBe(reference(Buffer.alloc(4_096, 0xff)));
  });

  it('encode every value, record and record batch to the same bytes as the shipped encoder', async () => {
    type Enc = {
      writeVarInt(v: number): Enc;
      writeUVarInt(v: number): Enc;
      writeVarLong(v: unknown): Enc;
      writeInt32(v: number): Enc;
      writeString(v: string | null): Enc;
      writeVarIntBytes(v: unknown): Enc;
      writeBytes(v: unknown): Enc;
      buffer: Buffer;
    };
    const Patched = require('kafkajs/src/protocol/encoder.js') as new (size?: number) => Enc;
    const Original = shipped<new (size?: number) => Enc>('src/protocol/encoder.js');
    const Long = require('kafkajs/src/utils/long.js') as { fromString(s: string): unknown };
    // Pooled buffers are not zeroed: dirty the pool so a byte read before it is written would show.
    for (let i = 0; i < 64; i += 1) Buffer.allocUnsafe(1_024).fill(0xa5);
    const ints = [
      0,
      1,
      -1,
      63,
      64,
      -64,
      -65,
      127,
      128,
      300,
      -300,
      2 ** 20,
      2 ** 30 - 1,
      -(2 ** 30),
      2 ** 31 - 1,
      -(2 ** 31),
    ];
    const longs = [
      ...ints,
      2 ** 30,
      -(2 ** 30) - 1,
      2 ** 40,
      -(2 ** 45),
      Number.MAX_SAFE_INTEGER,
      1.5e12,
      Long.fromString('-9223372036854775808'),
    ];
    const write = (E: new (size?: number) => Enc) => {
      const e = new E(8);
      for (const v of ints) e.writeVarInt(v).writeInt32(v);
      for (const v of ints.filter((n) => n >= 0)) e.writeUVarInt(v);
      for (const v of longs) e.writeVarLong(v);
      for (const text of ['', 'a', '滿意 ✓', 'x'.repeat(5_000)])
        e.writeString(text).writeVarIntBytes(text).writeBytes(Buffer.from(text));
      e.writeVarIntBytes(null).writeString(null);
      return e.buffer;
    };
    expect(write(Patched).equals(write(Original))).toBe(true);
    // Zig-zag LEB128 as the Kafka protocol defines it.
    const varlong = (v: number) => [...new Patched().writeVarLong(v).buffer];
    expect([0, -1, 1, -64, 64, 300, -(2 ** 30)].map(varlong)).toEqual([
      [0x00],
      [0x01],
      [0x02],
      [0x7f],
      [0x80, 0x01],
      [0xd8, 0x04],
      [0xff, 0xff, 0xff, 0xff, 0x07],
    ]);

    // A record and a record batch of them, each built by the shipped modules on the shipped encoder.
    type RecordFn = (r: object) => Enc;
    type BatchFn = { RecordBatch(b: object): Promise<Enc> };
    const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordFn;
    const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as BatchFn;
    const Header = shipped<unknown>('src/protocol/recordBatch/header/v0/index.js', { '/encoder': Original });
    const OriginalRecord = shipped<RecordFn>('src/protocol/recordBatch/record/v0/index.js', {
      '/encoder': Original,
      '/header/v0': Header,
    });
    const { RecordBatch: OriginalBatch } = shipped<BatchFn>('src/protocol/recordBatch/v0/index.js', {
      '/encoder': Original,
    });
    const recordsOf = (make: RecordFn) =>
      Array.from({ length: 40 }, (_, i) =>
        make({
          offsetDelta: i,
          timestampDelta: i * 37,
          key: `cus_${i}`,
          value: JSON.stringify({ i, text: '服務很好 '.repeat(i * 9) }),
          headers: { 'content-type': 'application/json', trace: [`t${i}`, `u${i}`] },
        }),
      );
    const batchOf = (make: BatchFn['RecordBatch'], records: Enc[]) =>
      make({
        records,
        firstTimestamp: 1_700_000_000_000,
        maxTimestamp: 1_700_000_000_999,
        lastOffsetDelta: 39,
      });
    const patchedRecords = recordsOf(Record);
    const originalRecords = recordsOf(OriginalRecord);
    for (const [i, r] of patchedRecords.entries())
      expect(r.buffer.equals(originalRecords[i]!.buffer)).toBe(true);
    const patchedBatch = (await batchOf(RecordBatch, patchedRecords)).buffer;
    expect(patchedBatch.equals((await batchOf(OriginalBatch, originalRecords)).buffer)).toBe(true);
    expect(patchedBatch.length).toBeGreaterThan(40 * 100);

    // A whole produce request in its envelope: topics, partitions, batches, records (some values are
    // large Buffers, which the patched encoder references rather than copies), as the broker gets it.
    type Request = { encode(): Promise<Enc> };
    type RequestFn = (r: object) => Request;
    type EnvelopeFn = (r: object) => Promise<Enc>;
    const Produce = require('kafkajs/src/protocol/requests/produce/v3/request.js') as RequestFn;
    const Envelope = require('kafkajs/src/protocol/request.js') as EnvelopeFn;
    const OriginalProduce = shipped<RequestFn>('src/protocol/requests/produce/v3/request.js', {
      '/encoder': Original,
      '/recordBatch/record/v0': OriginalRecord,
      '/recordBatch/v0': { RecordBatch: OriginalBatch },
    });
    const OriginalEnvelope = shipped<EnvelopeFn>('src/protocol/request.js', { './encoder': Original });
    const topicData = ['vocflow.feedback.raw.v1', 'vocflow.feedback.enriched.v1'].map((topic, t) => ({
      topic,
      partitions: Array.from({ length: 3 }, (_, partition) => ({
        partition,
        messages: Array.from({ length: 5 + partition * 7 }, (_, i) => ({
          key: `cus_${t}_${partition}_${i}`,
          value: i % 3 === 0 ? Buffer.from('字'.repeat(200 + i * 150)) : JSON.stringify({ i, t, partition }),
          timestamp: 1_700_000_000_000 + i,
          headers: { source: 'generic' },
        })),
      })),
    }));
    const request = { acks: -1, timeout: 30_000, topicData };
    const sent = async (produce: RequestFn, envelope: EnvelopeFn) =>
      (await envelope({ correlationId: 42, clientId: 'vocflow', request: produce(request) })).buffer;
    const patchedRequest = await sent(Produce, Envelope);
    expect(patchedRequest.equals(await sent(OriginalProduce, OriginalEnvelope))).toBe(true);
    expect(patchedRequest.readInt32BE(0)).toBe(patchedRequest.length - 4);
  });
});
