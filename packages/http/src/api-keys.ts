import { createHash, timingSafeEqual } from 'node:crypto';
import { envList } from '@vocflow/config';
import type { FastifyRequest } from 'fastify';
import { Problem } from './problem.ts';

/**
 * What an API key may do:
 * - `write`: send interviews, mentions and customer profiles to ingest;
 * - `read`: the query API and the dashboard, without contact details;
 * - `read:contact`: contact details of customer profiles (email, phone, name, handles) too;
 * - `erase`: erase a customer (`DELETE /v1/customers/{id}`).
 */
export const SCOPES = ['write', 'read', 'read:contact', 'erase'] as const;
export type Scope = (typeof SCOPES)[number];

/** The key lists, each one environment variable (comma-separated, several at once for rotation). */
export interface ApiKeyLists {
  /** `INGEST_API_KEYS`: write. */
  readonly ingest: readonly string[];
  /** `QUERY_API_KEYS`: read. */
  readonly query: readonly string[];
  /** `QUERY_API_KEYS_PII`: read, contact details included. */
  readonly queryPii: readonly string[];
  /** `ERASE_API_KEYS`: erase. */
  readonly erase: readonly string[];
  /** `API_KEYS` (deprecated): write and read, as before scopes existed. */
  readonly legacy: readonly string[];
}

/** The scopes each list grants. */
export const GRANTS: Readonly<Record<keyof ApiKeyLists, readonly Scope[]>> = {
  ingest: ['write'],
  query: ['read'],
  queryPii: ['read', 'read:contact'],
  erase: ['erase'],
  legacy: ['write', 'read'],
};

/** The environment slice both ingest and the query API read, so a key means the same to both. */
export const apiKeysEnv = {
  API_KEYS: envList(),
  INGEST_API_KEYS: envList(),
  QUERY_API_KEYS: envList(),
  QUERY_API_KEYS_PII: envList(),
  ERASE_API_KEYS: envList(),
};

export function toApiKeyLists(env: {
  API_KEYS: string[];
  INGEST_API_KEYS: string[];
  QUERY_API_KEYS: string[];
  QUERY_API_KEYS_PII: string[];
  ERASE_API_KEYS: string[];
}): ApiKeyLists {
  return {
    ingest: env.INGEST_API_KEYS,
    query: env.QUERY_API_KEYS,
    queryPii: env.QUERY_API_KEYS_PII,
    erase: env.ERASE_API_KEYS,
    legacy: env.API_KEYS,
  };
}

export type KeyIdentity =
  | { readonly kind: 'missing' }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'known'; readonly scopes: ReadonlySet<Scope> };

export interface Keyring {
  /** Who sends `Authorization: Bearer <key>`. Compares SHA-256 digests with every key, in constant time. */
  identify(authorization: string | undefined): KeyIdentity;
  /** Whether any configured key grants `scope`. */
  grants(scope: Scope): boolean;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function createKeyring(lists: Partial<ApiKeyLists>): Keyring {
  const entries: { digest: Buffer; scopes: readonly Scope[] }[] = [];
  for (const [list, scopes] of Object.entries(GRANTS) as [keyof ApiKeyLists, readonly Scope[]][])
    for (const key of lists[list] ?? []) entries.push({ digest: digest(key), scopes });
  const granted = new Set(entries.flatMap((e) => e.scopes));
  return {
    identify(authorization) {
      const key = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
      if (!key) return { kind: 'missing' };
      const given = digest(key);
      const scopes = new Set<Scope>();
      // Every key is compared, matched or not, so the time taken says nothing about which one matched.
      for (const entry of entries) {
        if (timingSafeEqual(given, entry.digest)) for (const s of entry.scopes) scopes.add(s);
      }
      return scopes.size === 0 ? { kind: 'unknown' } : { kind: 'known', scopes };
    },
    grants: (scope) => granted.has(scope),
  };
}

const grantedByRequest = new WeakMap<FastifyRequest, ReadonlySet<Scope>>();

/** The scopes of the key a request was let in with (empty when the route needs none). */
export function grantedScopes(request: FastifyRequest): ReadonlySet<Scope> {
  return grantedByRequest.get(request) ?? new Set();
}

/**
 * An `onRequest` hook: no key or an unknown key → 401, a known key without `scope` → 403. Runs before
 * the body is read, so a request without a valid key is refused whatever its size.
 */
export function requireScope(keyring: Keyring, scope: Scope) {
  return async function checkApiKey(request: FastifyRequest): Promise<void> {
    const identity = keyring.identify(request.headers.authorization);
    if (identity.kind === 'missing')
      throw new Problem('unauthorized', 'Send an API key as `Authorization: Bearer <key>`.');
    if (identity.kind === 'unknown') throw new Problem('unauthorized', 'Unknown API key.');
    if (!identity.scopes.has(scope))
      throw new Problem('forbidden', `This API key does not have the "${scope}" scope.`);
    grantedByRequest.set(request, identity.scopes);
  };
}
