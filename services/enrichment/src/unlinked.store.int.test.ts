import type { EnrichedFeedback } from '@vocflow/contracts';
import { stackSettings } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CustomerTable } from './customer-table.store.ts';
import { createPiiRedactor } from './pii.redactor.ts';
import { createEnrichmentPipeline } from './pipeline.ts';
import { inbound, keywordAnalyzer, rawFeedback } from './test-fixtures.ts';
import { createRedisUnlinkedStore, PARKED_PER_CALL } from './unlinked.store.ts';

const settings = stackSettings();
const redis = new Redis(settings.redisUrl);
const keyPrefix = `unlinked-test-${process.pid}-${Date.now()}`;

afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const pipeline = createEnrichmentPipeline({
  analyzer: keywordAnalyzer,
  customers: new CustomerTable(),
  redactor: createPiiRedactor({ enabled: false }),
  segmentRules: [],
  alertRules: [],
});

async function unknown(id: string, customer: { id?: string; email?: string }): Promise<EnrichedFeedback> {
  const result = await pipeline(inbound(rawFeedback({ feedbackId: id, customer })));
  if (result.kind !== 'ok' || !result.value.awaitsProfile)
    throw new Error('expected an item awaiting its profile');
  return result.value.enriched;
}

describe('the Redis unlinked store', () => {
  it('files each item under every reference it carries, with the expiry, however many share one', async () => {
    const store = createRedisUnlinkedStore({ redis, keyPrefix, ttlSeconds: 3_600 });
    const many = PARKED_PER_CALL + 5;
    const shared = await Promise.all(
      Array.from({ length: many }, (_, i) => unknown(`fb-shared-${i}`, { email: 'crowd@acme.example' })),
    );
    const own = await unknown('fb-own', { id: 'cus-own', email: 'solo@acme.example' });
    await store.park([...shared, own]);

    expect(await redis.hlen(`${keyPrefix}:unlinked:email:crowd@acme.example`)).toBe(many);
    expect(await redis.hkeys(`${keyPrefix}:unlinked:id:cus-own`)).toEqual(['fb-own']);
    expect(await redis.hkeys(`${keyPrefix}:unlinked:email:solo@acme.example`)).toEqual(['fb-own']);
    for (const key of ['email:crowd@acme.example', 'id:cus-own', 'email:solo@acme.example']) {
      const ttl = await redis.ttl(`${keyPrefix}:unlinked:${key}`);
      expect(ttl).toBeGreaterThan(3_500);
      expect(ttl).toBeLessThanOrEqual(3_600);
    }
    const found = await store.find([{ kind: 'email', value: 'crowd@acme.example' }]);
    expect(found.map((r) => r.feedbackId).sort()).toEqual(shared.map((r) => r.feedbackId).sort());
    expect(found[0]).toEqual(shared.find((r) => r.feedbackId === found[0]!.feedbackId));

    // A scan reads only the references it is asked for, and still covers every key.
    const pages = [];
    for await (const page of store.scan(undefined, (ref) => ref.kind === 'id')) pages.push(page);
    expect(pages.flatMap((p) => p.records.map((r) => r.feedbackId))).toEqual(['fb-own']);
    expect(pages.reduce((n, p) => n + p.keys, 0)).toBeGreaterThanOrEqual(3);

    // Removal compares the stored bytes: the item leaves every list it was filed under.
    await store.remove(own);
    expect(await redis.exists(`${keyPrefix}:unlinked:id:cus-own`)).toBe(0);
    expect(await redis.exists(`${keyPrefix}:unlinked:email:solo@acme.example`)).toBe(0);
  });

  it('files the JSON it is given for a record (as produced), and removes the record by it', async () => {
    const store = createRedisUnlinkedStore({ redis, keyPrefix, ttlSeconds: 3_600 });
    const record = await unknown('fb-given', { id: 'cus-given' });
    // The same record with its keys in another order: other bytes than JSON.stringify would give.
    const produced = JSON.stringify(Object.fromEntries(Object.entries(record).reverse()));
    expect(produced).not.toBe(JSON.stringify(record));
    await store.park([record], (r) => (r === record ? produced : undefined));
    const key = `${keyPrefix}:unlinked:id:cus-given`;
    expect(await redis.hget(key, 'fb-given')).toBe(produced);
    await store.remove(record);
    expect(await redis.exists(key)).toBe(0);
  });
});
