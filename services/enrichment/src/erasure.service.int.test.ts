import { type CustomerProfile, type EnrichedFeedback, erasureKeys } from '@vocflow/contracts';
import { createLogger } from '@vocflow/observability';
import { stackSettings, testNamespace } from '@vocflow/testing';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createPseudonymKeying } from './customer-ref.pseudonyms.ts';
import { createErasureService } from './erasure.service.ts';

const redis = new Redis(stackSettings().redisUrl);
const keyPrefix = testNamespace('erasure-svc');
const keys = erasureKeys(keyPrefix);
afterAll(async () => {
  for (const pattern of [`${keyPrefix}*`, `{${keyPrefix}*`]) {
    const found = await redis.keys(pattern);
    if (found.length > 0) await redis.del(...found);
  }
  redis.disconnect();
});

const keying = createPseudonymKeying('int-salt');
const logger = createLogger({ service: 'test', level: 'silent' });
const profile: CustomerProfile = {
  schema: 'customers.v1',
  id: 'cus_int_1',
  email: 'jane@acme.example',
  name: 'Jane',
  handles: ['@jane_a'],
  attributes: {},
  updatedAt: '2026-01-01T00:00:00Z',
};
const record = (feedbackId: string, ref: EnrichedFeedback['customer']['ref']) =>
  ({ feedbackId, customer: { key: 'unknown', ref, profile: null } }) as unknown as EnrichedFeedback;

describe('enrichment part of an erasure, on Redis', () => {
  const service = createErasureService({ redis, keyPrefix, keying, logger });

  it('removes parked items under every identifier, marks them, and creates the job once', async () => {
    const parked = (kind: string, value: string) => `${keyPrefix}:unlinked:${kind}:${value}`;
    await redis.hset(parked('email', keying.email(profile.email!)), 'f1', '{}');
    await redis.hset(parked('email', 'jane@acme.example'), 'f0', '{}');
    await redis.hset(parked('handle', keying.handle('@jane_a')), 'f2', '{}', 'f3', '{}');
    await redis.hset(parked('id', 'cus_other'), 'f9', '{}');

    const request = {
      erasureId: 'e-1',
      requestedBy: 'key:1',
      customerId: undefined,
      emailKey: keying.email(profile.email!),
    };
    await service.erase(request, profile);
    await service.erase(request, profile);

    expect(
      await redis.exists(
        parked('email', keying.email(profile.email!)),
        parked('email', 'jane@acme.example'),
        parked('handle', keying.handle('@jane_a')),
      ),
    ).toBe(0);
    expect(await redis.hlen(parked('id', 'cus_other'))).toBe(1);
    expect(await redis.xlen(keys.jobs)).toBe(1);
    const job = await redis.hgetall(keys.job('e-1'));
    expect(job).toMatchObject({
      erasureId: 'e-1',
      customerId: 'cus_int_1',
      requestedBy: 'key:1',
      parkedRemoved: '4',
    });

    const erased = await service.erasedAmong([
      record('a', { id: 'cus_int_1' }),
      record('b', { handle: keying.handle('jane_a') }),
      record('c', { email: keying.email('JANE@acme.example') }),
      record('d', { id: 'cus_other' }),
    ]);
    expect([...erased].sort()).toEqual(['a', 'b', 'c']);
  });

  it('a new profile for the customer clears the markers; a request re-read later does not set them again', async () => {
    await service.forgetMarkers(profile);
    expect((await service.erasedAmong([record('a', { id: 'cus_int_1' })])).size).toBe(0);
    await service.erase(
      { erasureId: 'e-1', requestedBy: 'key:1', customerId: 'cus_int_1', emailKey: undefined },
      profile,
    );
    expect((await service.erasedAmong([record('a', { id: 'cus_int_1' })])).size).toBe(0);
    expect(await redis.xlen(keys.jobs)).toBe(1);
  });
});
