#!/usr/bin/env node
/**
 * Fixes to kafkajs 2.2.4, applied at install (root `postinstall`, and the Dockerfile after its
 * script-less `npm ci`):
 *
 * The request queue (`src/network/requestQueue/index.js`), one per broker connection:
 * 1. **An endless 1 ms timer.** `checkPendingRequests` ends by scheduling itself again whether or not
 *    a request is pending, with `setTimeout(…, throttledUntil - Date.now())`: negative when the queue
 *    was never throttled, so Node runs it after 1 ms, and again, forever. Every connection of an idle
 *    process woke ~1,000 times a second (measured: 800–4,900 timers a second per service, 4–7 % of a
 *    core each with no traffic). Scheduling only while requests are pending is enough: a request that
 *    becomes pending schedules the check itself (`push`).
 * 2. **`TimeoutNegativeWarning`** on Node 24 for the same negative delay (upstream tulios/kafkajs#1751,
 *    unreleased): the delay is clamped to at least 1 ms, which is what Node did anyway.
 * 3. **A request-timeout check every 100 ms for as long as a connection lasts**, requests in flight or
 *    not: ~80 wake-ups a second in an idle service (strace: 87 `epoll_pwait` a second in aggregation).
 *    The check now runs only while a request is in flight, every tenth of the request timeout (at most
 *    every second; 1 s for the 10 s the services use); a stuck request still times out (tested).
 *
 * The record-batch CRC-32C (`src/protocol/recordBatch/crc32C/`): every produce request checksums its
 * record batch, a byte at a time (2.4 ns a byte, ~5 µs for an enriched record; 3–6 % of the enrichment
 * service's CPU), then turns the result unsigned by allocating a `Uint32Array` per call.
 * 4. **Slicing-by-8**: eight bytes per step with eight tables derived from kafkajs' own (0.67 ns a
 *    byte); the same checksum (tested against a bit-at-a-time CRC-32C).
 * 5. **`>>> 0`** instead of `Uint32Array.from([value])[0]`.
 *
 * The protocol encoder (`src/protocol/encoder.js`): a produced record is copied through nine encoders
 * on its way to the socket (record, batch body, batch, the batch's bytes, partition, topic, request,
 * request header, size prefix), each starting at 512 bytes and doubling with a copy, every buffer
 * zero-filled and outside Node's buffer pool; every varint was an array plus a `Buffer`, every varlong
 * a dozen `Long`s. A produce request of 1.4 KB records cost 19–47 µs a record to encode; 12.5 % of the
 * enrichment service's CPU in a drain profile was buffer allocation.
 * 6. **Segments instead of one growing buffer**: an encoder's bytes are a list of parts plus the
 *    segment it writes in; a buffer or nested encoder of 512 bytes or more is referenced, not copied;
 *    growth starts a new segment (from Node's pool, not zero-filled: an encoder only ever exposes bytes
 *    it wrote) instead of copying; `buffer` joins the parts once. A request is copied twice (the
 *    checksummed batch body and the whole request) instead of nine times: 4.4–12 µs a record.
 * 7. **Varints written in place** into the buffer.
 * 8. **Varlongs within ±2^30** (every record's timestamp delta) take the varint path: a zig-zag value
 *    that small has the same LEB128 bytes either way.
 * The encoder, record, record batch, produce request and request envelope are tested byte for byte
 * against the shipped modules.
 *
 * Idempotent; exits non-zero when kafkajs is not the version these fixes were written for, so an
 * upgrade is noticed instead of silently unpatched.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const QUEUE = 'src/network/requestQueue/index.js';
const ENCODER = 'src/protocol/encoder.js';

/** Each fix: the file under kafkajs/, the code as shipped, and as patched. */
export const FIXES = [
  {
    name: 'no check scheduled while nothing is pending',
    file: QUEUE,
    before: `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {`,
    after: `    let scheduleAt = this.throttledUntil - Date.now()
    if (this.pending.length === 0) return
    if (!this.throttleCheckTimeoutId) {`,
  },
  {
    name: 'no negative timeout',
    file: QUEUE,
    before: `        this.checkPendingRequests()
      }, scheduleAt)`,
    after: `        this.checkPendingRequests()
      }, Math.max(1, scheduleAt))`,
  },
  {
    name: 'request timeouts checked only while requests are in flight',
    file: QUEUE,
    before: `    if (this.enforceRequestTimeout) {
      this.destroy()

      this.requestTimeoutIntervalId = setInterval(() => {
        this.inflight.forEach(request => {
          if (Date.now() - request.sentAt > request.requestTimeout) {
            request.timeoutRequest()
          }
        })

        if (!this.isConnected()) {
          this.destroy()
        }
      }, Math.min(this.requestTimeout, 100))
    }
  }`,
    after: `    if (this.enforceRequestTimeout) {
      this.destroy()
      // vocflow: checked while requests are in flight, every tenth of the timeout (at most 1 s), not every
      // 100 ms for as long as the connection lasts
      this.checkRequestTimeouts = true
      this.watchRequestTimeouts()
    }
  }

  watchRequestTimeouts() {
    if (!this.checkRequestTimeouts || this.requestTimeoutIntervalId || this.inflight.size === 0) return
    this.requestTimeoutIntervalId = setInterval(() => {
      this.inflight.forEach(request => {
        if (Date.now() - request.sentAt > request.requestTimeout) {
          request.timeoutRequest()
        }
      })

      if (!this.isConnected()) {
        this.destroy()
      } else if (this.inflight.size === 0) {
        clearInterval(this.requestTimeoutIntervalId)
        this.requestTimeoutIntervalId = null
      }
    }, Math.min(this.requestTimeout / 10, 1000))
  }`,
  },
  {
    name: 'a request in flight starts the timeout check',
    file: QUEUE,
    before: `        this.inflight.set(correlationId, socketRequest)
        pushedRequest.sendRequest()`,
    after: `        this.inflight.set(correlationId, socketRequest)
        this.watchRequestTimeouts()
        pushedRequest.sendRequest()`,
  },
  {
    name: 'destroy stops the timeout check',
    file: QUEUE,
    before: `  destroy() {
    clearInterval(this.requestTimeoutIntervalId)
    clearTimeout(this.throttleCheckTimeoutId)`,
    after: `  destroy() {
    clearInterval(this.requestTimeoutIntervalId)
    this.requestTimeoutIntervalId = null
    this.checkRequestTimeouts = false
    clearTimeout(this.throttleCheckTimeoutId)`,
  },
  {
    name: 'slicing-by-8',
    file: 'src/protocol/recordBatch/crc32C/crc32C.js',
    before: `const crc32C = buffer => {
  let crc = 0 ^ -1
  for (let i = 0; i < buffer.length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
    after: `// vocflow: slicing-by-8 (eight bytes a step; tables 1-7 derived from T on first use)
let T8
const tables = () => {
  const t = new Int32Array(8 * 256)
  t.set(T)
  for (let n = 0; n < 256; n++)
    for (let k = 1; k < 8; k++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ T[t[(k - 1) * 256 + n] & 0xff]
  return t
}
const crc32C = buffer => {
  const t = (T8 = T8 || tables())
  const length = buffer.length
  const whole = length - (length & 7)
  let crc = 0 ^ -1
  let i = 0
  for (; i < whole; i += 8) {
    const a = crc ^ (buffer[i] | (buffer[i + 1] << 8) | (buffer[i + 2] << 16) | (buffer[i + 3] << 24))
    const b = buffer[i + 4] | (buffer[i + 5] << 8) | (buffer[i + 6] << 16) | (buffer[i + 7] << 24)
    crc =
      t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^
      t[768 + (b & 0xff)] ^ t[512 + ((b >>> 8) & 0xff)] ^ t[256 + ((b >>> 16) & 0xff)] ^ t[b >>> 24]
  }
  for (; i < length; i++) {
    crc = T[(crc ^ buffer[i]) & 0xff] ^ (crc >>> 8)
  }

  return (crc ^ -1) >>> 0
}`,
  },
  {
    name: 'unsigned without an array',
    file: 'src/protocol/recordBatch/crc32C/index.js',
    before: 'const unsigned = value => Uint32Array.from([value])[0]',
    after: 'const unsigned = value => value >>> 0',
  },
  {
    name: 'encoder segments: pooled, not zero-filled',
    file: ENCODER,
    before: `    this.buf = Buffer.alloc(Encoder.nextPowerOfTwo(initialSize))
    this.offset = 0
  }`,
    after: `    // vocflow: the bytes are a list of sealed parts (\`chunks\`, \`sealed\` bytes in all) followed by
    // buf[start, offset); large buffers and nested encoders are referenced, not copied
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize))
    this.offset = 0
    this.start = 0
    this.chunks = null
    this.sealed = 0
  }

  seal() {
    if (this.offset > this.start) {
      if (this.chunks === null) this.chunks = []
      this.chunks.push(this.buf.subarray(this.start, this.offset))
      this.sealed += this.offset - this.start
      this.start = this.offset
    }
  }

  parts() {
    const tail = this.buf.subarray(this.start, this.offset)
    if (this.chunks === null) return [tail]
    return tail.length > 0 ? [...this.chunks, tail] : this.chunks
  }`,
  },
  {
    name: 'large buffers referenced, not copied',
    file: ENCODER,
    before: `  writeBufferInternal(buffer) {
    const bufferLength = buffer.length
    this.ensureAvailable(bufferLength)`,
    after: `  writeBufferInternal(buffer) {
    const bufferLength = buffer.length
    if (bufferLength >= 512) {
      this.seal()
      if (this.chunks === null) this.chunks = []
      this.chunks.push(buffer)
      this.sealed += bufferLength
      return
    }
    this.ensureAvailable(bufferLength)`,
  },
  {
    name: 'growth starts a new segment instead of copying',
    file: ENCODER,
    before: `    if (this.offset + length > this.buf.length) {
      const newLength = Encoder.nextPowerOfTwo(this.offset + length)
      const newBuffer = Buffer.alloc(newLength)
      this.buf.copy(newBuffer, 0, 0, this.offset)
      this.buf = newBuffer
    }
  }

  get buffer() {
    return this.buf.slice(0, this.offset)
  }`,
    after: `    if (this.offset + length > this.buf.length) {
      this.seal()
      this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(Math.max(length, this.buf.length)))
      this.offset = 0
      this.start = 0
    }
  }

  get buffer() {
    if (this.chunks === null) return this.buf.slice(this.start, this.offset)
    // One copy of everything, kept: the encoder goes on from the joined buffer
    const joined = Buffer.concat(this.parts(), this.size())
    this.buf = joined
    this.offset = joined.length
    this.start = 0
    this.chunks = null
    this.sealed = 0
    return joined.slice(0, joined.length)
  }`,
  },
  {
    name: 'raw bytes without reserving room for them',
    file: ENCODER,
    before: `      this.ensureAvailable(INT32_SIZE + value.length)
      this.writeInt32(value.length)
      this.writeBufferInternal(value)`,
    after: `      // vocflow: no room reserved for bytes that are referenced when large
      this.writeInt32(value.length)
      this.writeBufferInternal(value)`,
  },
  {
    name: 'nested encoders referenced, not copied',
    file: ENCODER,
    before: `    this.writeBufferInternal(value.buffer)
    return this
  }`,
    after: `    for (const part of value.parts()) this.writeBufferInternal(part)
    return this
  }`,
  },
  {
    name: 'nested encoder arrays referenced, not copied',
    file: ENCODER,
    before: `    value.forEach(v => {
      this.writeBufferInternal(v.buffer)
    })`,
    after: `    value.forEach(v => {
      for (const part of v.parts()) this.writeBufferInternal(part)
    })`,
  },
  {
    name: 'size of every part',
    file: ENCODER,
    before: `  size() {
    // We can use the offset here directly, because we anyways will not re-encode the buffer when writing
    return this.offset
  }`,
    after: `  size() {
    return this.sealed + this.offset - this.start
  }`,
  },
  {
    name: 'varints written in place',
    file: ENCODER,
    before: `  writeUVarInt(value) {
    const byteArray = []
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      byteArray.push((value & OTHER_BITS) | MOST_SIGNIFICANT_BIT)
      value >>>= 7
    }
    byteArray.push(value & OTHER_BITS)
    this.writeBufferInternal(Buffer.from(byteArray))
    return this
  }`,
    after: `  writeUVarInt(value) {
    // vocflow: the bytes go straight into the buffer (no array and Buffer per varint)
    this.ensureAvailable(5)
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      this.buf[this.offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    this.buf[this.offset++] = value & OTHER_BITS
    return this
  }`,
  },
  {
    name: 'small varlongs without Long',
    file: ENCODER,
    before: `  writeVarLong(value) {
    const byteArray = []`,
    after: `  writeVarLong(value) {
    // vocflow: a number within ±2^30 has the same zig-zag LEB128 bytes as a varint (no Long objects)
    if (typeof value === 'number' && value >= -0x40000000 && value < 0x40000000 && Number.isInteger(value))
      return this.writeVarInt(value)
    const byteArray = []`,
  },
];

/** The patched text of one file, or the same text when already patched; throws when the code is not found. */
export function patchSource(file, source) {
  let patched = source;
  for (const fix of FIXES.filter((f) => f.file === file)) {
    if (patched.includes(fix.after)) continue;
    if (!patched.includes(fix.before))
      throw new Error(`kafkajs ${file}: the code to patch was not found (${fix.name})`);
    patched = patched.replace(fix.before, fix.after);
  }
  return patched;
}

function main() {
  const require = createRequire(join(process.cwd(), 'package.json'));
  let root;
  try {
    root = dirname(require.resolve('kafkajs/package.json'));
  } catch {
    process.stdout.write('kafkajs not installed: nothing to patch\n');
    return;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (version !== '2.2.4') {
    process.stderr.write(
      `kafkajs ${version}: these patches are for 2.2.4; check whether each is still needed\n`,
    );
    process.exitCode = 1;
    return;
  }
  let changed = 0;
  for (const file of new Set(FIXES.map((f) => f.file))) {
    const path = join(root, file);
    const source = readFileSync(path, 'utf8');
    const patched = patchSource(file, source);
    if (patched !== source) {
      writeFileSync(path, patched);
      changed += 1;
    }
  }
  process.stdout.write(`kafkajs ${version}: patches ${changed === 0 ? 'already applied' : 'applied'}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
