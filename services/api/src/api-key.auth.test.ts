import { createKeyring } from '@vocflow/http';
import { createLogger, createRegistry } from '@vocflow/observability';
import { derive, driversOf, emptyCounters } from '@vocflow/rollups';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from './app.ts';
import { loadConfig } from './config.ts';
import { addCounters } from './rollup-queries.adapter.ts';
import type { RollupQueries } from './rollup-queries.ts';

const PROFILE = {
  id: 'cus-1',
  tier: 'enterprise',
  email: 'ana@example.com',
  phone: '+1 555 0100',
  name: 'Ana',
  handles: ['@ana'],
};

/** Rollups with one known customer and nothing else. */
const queries: RollupQueries = {
  overview: async () => emptyCounters(),
  listSegments: async () => [],
  allTime: async () => emptyCounters(),
  series: async () => [],
  getCustomer: async (id) => (id === 'cus-1' ? { customerId: id, profile: PROFILE } : null),
  latestFeedback: async () => [],
  recentAlerts: async () => [],
  worstSegments: async () => [],
  verbatims: async () => ({ items: [], next: null }),
  derive,
  drivers: driversOf,
  empty: emptyCounters,
  add: addCounters,
};

describe('query API keys and scopes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApiApp({
      logger: createLogger({ service: 'api-test', level: 'silent' }),
      registry: createRegistry('api-test'),
      checks: [],
      queries,
      pipeline: { counts: async () => null },
      feeds: { list: async () => [] },
      keyring: createKeyring({
        query: ['query-key'],
        queryPii: ['pii-key'],
        ingest: ['ingest-key'],
        erase: ['erase-key'],
        legacy: ['legacy-key'],
      }),
      cacheControl: 'private, max-age=5',
      version: 'test',
    });
  });
  afterAll(() => app.close());
  const get = (key: string | undefined, url = '/v1/customers/cus-1') =>
    app.inject({ method: 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('lets query, PII and legacy keys read; refuses ingest and erase keys with 403, unknown keys with 401', async () => {
    const codes = [];
    for (const key of ['query-key', 'pii-key', 'legacy-key', 'ingest-key', 'erase-key', 'nope', undefined])
      codes.push((await get(key, '/v1/segments')).statusCode);
    expect(codes).toEqual([200, 200, 200, 403, 403, 401, 401]);
    const forbidden = await get('ingest-key', '/v1/segments');
    expect(forbidden.json()).toMatchObject({ type: 'https://vocflow.dev/problems/forbidden', status: 403 });
  });
  it('shows a customer’s contact details (email, phone, name, handles) only to a PII key', async () => {
    for (const key of ['query-key', 'legacy-key'])
      expect((await get(key)).json().profile).toEqual({ id: 'cus-1', tier: 'enterprise' });
    expect((await get('pii-key')).json().profile).toEqual(PROFILE);
  });
});

describe('query API configuration', () => {
  it('needs at least one key that can read; an ingest or erase key alone is not enough', () => {
    expect(() => loadConfig({ INGEST_API_KEYS: 'k', ERASE_API_KEYS: 'e' })).toThrow(/QUERY_API_KEYS/);
    expect(loadConfig({ QUERY_API_KEYS: 'q' }).apiKeys.query).toEqual(['q']);
    expect(loadConfig({ API_KEYS: 'old' }).apiKeys.legacy).toEqual(['old']);
  });
});
