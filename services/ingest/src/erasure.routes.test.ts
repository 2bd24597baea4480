import { ERASURE_BY_HEADER, ERASURE_EMAIL_HEADER, ERASURE_ID_HEADER } from '@vocflow/contracts';
import type { OutboundMessage } from '@vocflow/kafka';
import { createLogger, createRegistry } from '@vocflow/observability';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIngestApp } from './app.ts';
import { loadConfig } from './config.ts';
import { erasureRecord, keyIdOf, parseSubject } from './erasure.routes.ts';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(env: Record<string, string>) {
  const published: OutboundMessage[] = [];
  app = await buildIngestApp({
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }),
    publisher: { publishFeedback: async () => undefined, publishProfiles: async () => undefined },
    mappings: {},
    logger: createLogger({ service: 'test', level: 'silent' }),
    registry: createRegistry('test'),
    checks: [],
    publishErasure: async (record) => {
      published.push(record);
    },
  });
  return { app, published };
}

const KEYS = { INGEST_API_KEYS: 'ingest-key', QUERY_API_KEYS: 'query-key', ERASE_API_KEYS: 'erase-key' };
const del = (url: string, key?: string) => ({
  method: 'DELETE' as const,
  url,
  headers: key ? { authorization: `Bearer ${key}` } : {},
});

describe('the erasure request', () => {
  it('is a tombstone keyed by the customer id carrying the erasure id and who asked', () => {
    expect(erasureRecord({ customerId: 'cus_1' }, 'e-1', 'key:abc')).toEqual({
      key: 'cus_1',
      value: null,
      headers: { [ERASURE_ID_HEADER]: 'e-1', [ERASURE_BY_HEADER]: 'key:abc' },
    });
  });

  it('by address is keyed by the pseudonym, which no profile id can be, and carries it as a header', () => {
    const pseudonym = `hmac:${'a'.repeat(32)}`;
    const record = erasureRecord({ emailKey: pseudonym }, 'e-2', 'key:abc');
    expect(record.key).toBe(`email:${pseudonym}`);
    expect(record.headers?.[ERASURE_EMAIL_HEADER]).toBe(pseudonym);
  });

  it('names the key by a digest, never the key itself', () => {
    const id = keyIdOf('Bearer very-secret-key');
    expect(id).toMatch(/^key:[0-9a-f]{12}$/);
    expect(id).not.toContain('very-secret-key');
    expect(keyIdOf('Bearer very-secret-key')).toBe(id);
    expect(keyIdOf('Bearer another-key')).not.toBe(id);
  });

  it('refuses an address in clear, an empty or overlong id, and an id that looks like an address key', () => {
    expect(() => parseSubject({ emailKey: 'jane@acme.example' })).toThrow(/pseudonym/);
    expect(() => parseSubject({ id: '' })).toThrow(/1 to 256/);
    expect(() => parseSubject({ id: 'x'.repeat(257) })).toThrow(/1 to 256/);
    expect(() => parseSubject({ id: 'email:hmac:00' })).toThrow(/email:/);
    expect(parseSubject({ id: 'cus_1' })).toEqual({ customerId: 'cus_1' });
  });
});

describe('DELETE /v1/customers/{id}', () => {
  it('needs a key with the erase scope: 401 without or with an unknown key, 403 for ingest and query keys', async () => {
    const { app, published } = await build(KEYS);
    expect((await app.inject(del('/v1/customers/cus_1'))).statusCode).toBe(401);
    expect((await app.inject(del('/v1/customers/cus_1', 'nope'))).statusCode).toBe(401);
    expect((await app.inject(del('/v1/customers/cus_1', 'ingest-key'))).statusCode).toBe(403);
    expect((await app.inject(del('/v1/customers/cus_1', 'query-key'))).statusCode).toBe(403);
    expect(published).toEqual([]);
  });

  it('answers 202 with an erasure id once the request is produced', async () => {
    const { app, published } = await build(KEYS);
    const response = await app.inject(del('/v1/customers/cus%201', 'erase-key'));
    expect(response.statusCode).toBe(202);
    const { erasureId } = response.json() as { erasureId: string };
    expect(published).toHaveLength(1);
    expect(published[0]!.key).toBe('cus 1');
    expect(published[0]!.headers?.[ERASURE_ID_HEADER]).toBe(erasureId);
    expect(published[0]!.headers?.[ERASURE_BY_HEADER]).toBe(keyIdOf('Bearer erase-key'));
  });

  it('erases by address pseudonym and refuses the address itself with 400', async () => {
    const { app, published } = await build(KEYS);
    const pseudonym = `hmac:${'0123456789abcdef'.repeat(2)}`;
    expect((await app.inject(del(`/v1/customers/by-email/${pseudonym}`, 'erase-key'))).statusCode).toBe(202);
    expect(
      (await app.inject(del('/v1/customers/by-email/jane%40acme.example', 'erase-key'))).statusCode,
    ).toBe(400);
    expect(published.map((r) => r.key)).toEqual([`email:${pseudonym}`]);
  });

  it('is never open without a key, even when the other key endpoints are (ALLOW_UNSIGNED_SOURCES=api)', async () => {
    const { app } = await build({ QUERY_API_KEYS: 'query-key', ALLOW_UNSIGNED_SOURCES: 'api' });
    expect((await app.inject(del('/v1/customers/cus_1'))).statusCode).toBe(401);
  });
});
