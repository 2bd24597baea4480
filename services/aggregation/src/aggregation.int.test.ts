import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3 } from '@vocflow/clients';
import type { DlqRecord, EnrichedFeedback } from '@vocflow/contracts';
import {
  addPart,
  contributionOf,
  createRollupReader,
  createRollupWriter,
  type RawFields,
} from '@vocflow/rollups';
import { enrichedItem } from '@vocflow/rollups/testing';
import { cleanupNamespace, createTopicsFor, stackSettings, testNamespace } from '@vocflow/testing';
import { parquetReadObjects } from 'hyparquet';
import { Redis } from 'ioredis';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AggregationHandle, start } from './main.ts';
import { createS3ObjectStore } from './object.store.ts';
import { rebuildRollups } from './rebuild.ts';
import { kafkaFor, produceItems, syntheticItems, waitFor, waitForCommitted } from './test-harness.ts';

const SHARDS = 4;
const settings = stackSettings();
const kafka = kafkaFor(settings.kafkaBrokers);
let admin: Admin;
let producer: Producer;
const redis = new Redis(settings.redisUrl);
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  redis.disconnect();
});

interface Namespace {
  readonly ns: string;
  readonly topics: Awaited<ReturnType<typeof createTopicsFor>>;
  readonly env: Record<string, string>;
}

async function namespace(name: string, extra: Record<string, string> = {}): Promise<Namespace> {
  const ns = testNamespace(name);
  const topics = await createTopicsFor(ns, settings.kafkaBrokers, { numPartitions: 3 });
  // A producer per test: one that knew a deleted topic keeps asking for its metadata.
  const own = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await own.connect();
  producer = own;
  const ownAdmin = kafka.admin();
  await ownAdmin.connect();
  admin = ownAdmin;
  cleanups.push(async () => {
    await own.disconnect();
    await ownAdmin.disconnect();
    await cleanupNamespace(ns, settings);
    await deleteKeys(settings.redisUrl, ns);
  });
  const env: Record<string, string> = {
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    VOCFLOW_TOPIC_PREFIX: ns,
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: ns,
    S3_ENDPOINT: settings.s3.endpoint,
    S3_BUCKET: settings.s3.bucket,
    S3_REGION: settings.s3.region,
    S3_ACCESS_KEY_ID: settings.s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: settings.s3.secretAccessKey,
    S3_PREFIX: ns,
    AGGREGATION_OPS_PORT: '0',
    ROLLUP_SHARDS: String(SHARDS),
    ARCHIVE_WINDOW_OFFSETS: '100',
    ARCHIVE_MAX_AGE_MS: '200',
    FEEDS_INTERVAL_MS: '3600000',
    ROLLUP_CHANGES_INTERVAL_MS: '200',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    ...extra,
  };
  return { ns, topics, env };
}

async function deleteKeys(url: string, ns: string): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `*${ns}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

async function startService(env: Record<string, string>): Promise<AggregationHandle> {
  const handle = await start(env);
  cleanups.push(() => handle.close());
  return handle;
}

/** The rollup hashes of a namespace, without the update time: what must match key for key. */
async function snapshot(client: Redis, ns: string): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `{${ns}:s*}:r:*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const raw = await client.get(key);
      const { u: _u, ...fields } = raw ? (JSON.parse(raw) as Record<string, number>) : {};
      out[key] = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, String(v)]));
    }
  } while (cursor !== '0');
  return out;
}

/** What the overall all-time rollup must hold: the latest version of every item, counted once. */
function expectedOverall(items: readonly EnrichedFeedback[]): RawFields {
  const latest = new Map<string, EnrichedFeedback>();
  for (const item of items) {
    const seen = latest.get(item.feedbackId);
    if (
      !seen ||
      item.version > seen.version ||
      (item.version === seen.version && item.revision > seen.revision)
    )
      latest.set(item.feedbackId, item);
  }
  const fields: RawFields = {};
  for (const item of latest.values()) {
    addPart(
      fields,
      Object.fromEntries(Object.entries(contributionOf(item).fields).map(([k, v]) => [k, String(v)])),
    );
  }
  return fields;
}

async function overallFields(client: Redis, ns: string): Promise<RawFields> {
  const fields: RawFields = {};
  for (let s = 0; s < SHARDS; s++)
    addPart(fields, JSON.parse((await client.get(`{${ns}:s${s}}:r:o:a`)) ?? '{}'));
  delete fields['u'];
  return fields;
}

describe('aggregation against real Kafka, Redis and S3', () => {
  it('counts an item delivered three times once', async () => {
    const { ns, topics, env } = await namespace('three deliveries');
    await startService(env);
    const item = enrichedItem({ feedbackId: 'dup-1' });
    await produceItems(producer, topics.feedbackEnriched, [
      item,
      item,
      enrichedItem({ feedbackId: 'other-1' }),
      item,
    ]);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    expect((await reader.overview()).counters.count).toBe(2);
    expect((await reader.getRollup('customer', 'cust-1')).counters.npsPromoters).toBe(2);
    expect((await reader.getRollup('segment', 'tier:enterprise')).counters.count).toBe(2);
  });

  it('sends a poison record to the DLQ and still counts the good ones around it', async () => {
    const { ns, topics, env } = await namespace('poison');
    await startService(env);
    await produceItems(producer, topics.feedbackEnriched, [enrichedItem({ feedbackId: 'good-1' })]);
    await producer.send({
      topic: topics.feedbackEnriched,
      messages: [{ key: 'bad-1', value: '{"schema":"feedback.enriched.v1"}' }],
    });
    await produceItems(producer, topics.feedbackEnriched, [enrichedItem({ feedbackId: 'good-2' })]);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    expect((await reader.overview()).counters.count).toBe(2);
    const consumer = kafka.consumer({ groupId: `${ns}dlq-reader` });
    cleanups.push(() => consumer.disconnect());
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.dlq], fromBeginning: true });
    const records: DlqRecord[] = [];
    void consumer.run({
      eachMessage: async ({ message }) => {
        records.push(JSON.parse(message.value!.toString('utf8')) as DlqRecord);
      },
    });
    await waitFor(
      async () => records.length,
      (n) => n >= 2,
      30_000,
    );
    expect(
      records
        .map((r) => [r.stage, r.reason, Buffer.from(r.original.key ?? '', 'base64').toString('utf8')])
        .sort(),
    ).toEqual([
      ['aggregation', 'invalid_schema', 'bad-1'],
      ['archive', 'invalid_schema', 'bad-1'],
    ]);
  });

  it('lets a later version replace the earlier one everywhere and ignores an older one arriving late', async () => {
    const { ns, topics, env } = await namespace('versions');
    await startService(env);
    const scoreOnly = enrichedItem({
      feedbackId: 'v-1',
      version: 1,
      customer: { ref: { email: 'x@example.com' }, key: 'unknown', profile: null },
      normalized: { nps: { score: 3, category: 'detractor' } },
      segments: [],
    });
    const withComment = {
      ...scoreOnly,
      version: 2,
      normalized: { nps: { score: 10, category: 'promoter' as const } },
      sentiment: {
        score: 0.5,
        label: 'positive' as const,
        confidence: 1,
        language: 'en',
        supported: true,
        aspects: [],
        analyzerVersion: 't',
      },
    };
    const linked = {
      ...withComment,
      revision: 1,
      customer: { ref: { email: 'x@example.com' }, key: 'cust-9', profile: null },
      segments: ['tier:enterprise'],
    };
    await produceItems(producer, topics.feedbackEnriched, [
      scoreOnly,
      withComment,
      linked,
      scoreOnly,
      withComment,
    ]);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    const overall = await reader.overview();
    expect(overall.counters).toMatchObject({
      count: 1,
      npsPromoters: 1,
      npsDetractors: 0,
      sentimentCount: 1,
    });
    expect(overall.derived.nps).toBe(100);
    expect((await reader.getRollup('customer', 'unknown')).counters.count).toBe(0);
    expect((await reader.getRollup('customer', 'cust-9')).counters.count).toBe(1);
    expect((await reader.getRollup('segment', 'tier:enterprise')).counters.count).toBe(1);
    const day = await reader.series(
      'overall',
      'overall',
      'day',
      new Date('2026-11-20T00:00:00Z'),
      new Date('2026-11-20T23:00:00Z'),
    );
    expect(day.map((d) => d.counters.npsPromoters)).toEqual([1]);
    expect(
      (await reader.latestFeedback('cust-9', 5)).map((f) => [f.feedbackId, f.version, f.revision]),
    ).toEqual([['v-1', 2, 1]]);
    expect(await reader.latestFeedback('unknown', 5)).toEqual([]);
  });

  it('archives every event and a rebuild from the archive reproduces the live rollups key for key', async () => {
    const { ns, topics, env } = await namespace('rebuild');
    await startService(env);
    const items = syntheticItems(450, 'rb');
    const later = syntheticItems(50, 'rb').map((item) => ({
      ...item,
      version: 2,
      normalized: { nps: { score: 10, category: 'promoter' as const } },
    }));
    await produceItems(producer, topics.feedbackEnriched, [...items, ...later]);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    expect(await overallFields(redis, ns)).toEqual(expectedOverall([...items, ...later]));

    const s3 = createS3({ ...settings.s3, prefix: ns });
    cleanups.push(async () => s3.destroy());
    const store = createS3ObjectStore(s3, { bucket: settings.s3.bucket, prefix: ns });
    const countArchived = async () => {
      let lines = 0;
      const { gunzipSync } = await import('node:zlib');
      for (const key of await store.list('archive/enriched/')) {
        const body = await store.get(key);
        if (body) lines += gunzipSync(body).toString('utf8').trim().split('\n').length;
      }
      return lines;
    };
    await waitFor(countArchived, (n) => n >= 500, 30_000);
    expect(await countArchived()).toBe(500);
    expect(
      (await store.list('archive/enriched/')).every((k) =>
        /^archive\/enriched\/dt=2026-11-(18|19|20)\/.+-p\d-\d{20}-\d{20}\.ndjson\.gz$/.test(k),
      ),
    ).toBe(true);

    const live = await snapshot(redis, ns);
    expect(Object.keys(live).length).toBeGreaterThan(100);
    // The per-aspect NPS classes (drivers) are among the rollups compared, and so are the comments.
    expect(JSON.stringify(live)).toContain(':np"');
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    const comments = async () => [
      await reader.verbatims({ limit: 500 }),
      await reader.verbatims({ segment: 'tier:enterprise', aspect: 'price', limit: 500 }),
      await reader.verbatims({ segment: 'region:emea', label: 'negative', limit: 500 }),
    ];
    const liveComments = await comments();
    expect(liveComments[0]!.items).toHaveLength(90);
    await deleteKeys(settings.redisUrl, ns);
    const writer = createRollupWriter(redis, { keyPrefix: ns, shards: SHARDS });
    const result = await rebuildRollups({ store, writer, batchSize: 77 });
    expect(result.events).toBe(500);
    expect(await snapshot(redis, ns)).toEqual(live);
    expect(await comments()).toEqual(liveComments);
  });

  it('writes day feeds that round-trip through a Parquet reader', async () => {
    const { ns, topics, env } = await namespace('feeds');
    const handle = await startService(env);
    const items = syntheticItems(60, 'fd');
    await produceItems(producer, topics.feedbackEnriched, items);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    expect((await handle.feeds?.runOnce())?.sort()).toEqual(['2026-11-18', '2026-11-19', '2026-11-20']);
    const s3 = createS3({ ...settings.s3, prefix: ns });
    cleanups.push(async () => s3.destroy());
    const store = createS3ObjectStore(s3, { bucket: settings.s3.bucket, prefix: ns });
    const manifest = JSON.parse(
      Buffer.from((await store.get('feeds/rollups/manifest.json'))!).toString('utf8'),
    );
    const entry = manifest.days['2026-11-19'];
    const bytes = (await store.get(entry.segment.parquet))!;
    const rows = (await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    })) as Record<string, unknown>[];
    const ndjson = Buffer.from((await store.get(entry.segment.ndjson))!)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows.length).toBe(entry.segment.rows);
    expect(rows.length).toBeGreaterThan(0);
    const normalize = (r: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]));
    expect(rows.map(normalize)).toEqual(ndjson);
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    const enterprise = (
      await reader.series(
        'segment',
        'tier:enterprise',
        'day',
        new Date('2026-11-19T00:00:00Z'),
        new Date('2026-11-19T00:00:00Z'),
      )
    )[0]!;
    expect(rows.map(normalize).find((r) => r['id'] === 'tier:enterprise')).toMatchObject({
      count: enterprise.counters.count,
      nps: enterprise.derived.nps,
    });
    // Late feedback for a written day makes the next run rewrite that day only.
    await produceItems(producer, topics.feedbackEnriched, [
      enrichedItem({ feedbackId: 'late-1', occurredAt: '2026-11-19T05:00:00Z' }),
    ]);
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched);
    expect(await handle.feeds?.runOnce()).toEqual(['2026-11-19']);
  });
});

describe('aggregation through crashes, rebalances and a Redis outage', () => {
  it('gives exact totals after a worker is killed mid-batch and restarted', async () => {
    const { ns, topics, env } = await namespace('killed');
    const items = syntheticItems(3000, 'k');
    await produceItems(producer, topics.feedbackEnriched, items);
    const spawnWorker = () => spawnService(env);
    const first = spawnWorker();
    const reader = createRollupReader(redis, { keyPrefix: ns, shards: SHARDS });
    await waitFor(
      () => reader.overview(),
      (o) => o.counters.count > 200,
      60_000,
    );
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const second = spawnWorker();
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched, 90_000);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(await overallFields(redis, ns)).toEqual(expectedOverall(items));
  });

  it('gives exact totals with two instances and a rebalance in the middle', async () => {
    const { ns, topics, env } = await namespace('rebalance', { AGGREGATION_CONCURRENCY: '2' });
    const items = syntheticItems(2400, 'rb2');
    const a = await start(env);
    await produceItems(producer, topics.feedbackEnriched, items.slice(0, 800));
    const b = await startService(env);
    await produceItems(producer, topics.feedbackEnriched, items.slice(800, 1600));
    await a.close();
    await produceItems(producer, topics.feedbackEnriched, items.slice(1600));
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched, 90_000);
    expect(b.isReady()).toBe(true);
    expect(await overallFields(redis, ns)).toEqual(expectedOverall(items));
  });

  it('gives exact totals when Redis stops and restarts mid-stream', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'vocflow-redis-'));
    cleanups.push(async () =>
      process.env['KEEP_REDIS_DIR'] ? undefined : rmSync(dir, { recursive: true, force: true }),
    );
    const redisArgs = [
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--dbfilename',
      'dump.rdb',
      '--logfile',
      join(dir, 'redis.log'),
    ];
    let server = spawn('/usr/bin/redis-server', redisArgs, { stdio: 'ignore' });
    cleanups.push(async () => server.kill('SIGKILL'));
    const own = new Redis({ port, lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
    own.on('error', () => undefined);
    cleanups.push(async () => own.disconnect());
    await waitFor(
      () => own.ping().catch(() => 'down'),
      (p) => p === 'PONG',
      10_000,
    );
    const { ns, topics, env } = await namespace('redis outage', { REDIS_URL: `redis://127.0.0.1:${port}` });
    const items = syntheticItems(2000, 'ro');
    await startService(env);
    await produceItems(producer, topics.feedbackEnriched, items.slice(0, 1000));
    const reader = createRollupReader(own, { keyPrefix: ns, shards: SHARDS });
    await waitFor(
      () => reader.overview(),
      (o) => o.counters.count > 0,
      30_000,
    );
    // Stop Redis (its data saved on the way down), keep producing, then bring it back.
    const exited = new Promise((r) => server.once('exit', r));
    spawnSync('/usr/bin/redis-cli', ['-p', String(port), 'SHUTDOWN', 'SAVE']);
    await exited;
    await produceItems(producer, topics.feedbackEnriched, items.slice(1000));
    await new Promise((r) => setTimeout(r, 1500));
    server = spawn('/usr/bin/redis-server', redisArgs, { stdio: 'ignore' });
    await waitForCommitted(admin, `${ns}vocflow-aggregation`, topics.feedbackEnriched, 90_000);
    expect(await overallFields(own, ns)).toEqual(expectedOverall(items));
  });
});

function spawnService(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'main.ts')], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
