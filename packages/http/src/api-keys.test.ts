import { describe, expect, it } from 'vitest';
import { createKeyring } from './api-keys.ts';

describe('keyring', () => {
  const keyring = createKeyring({
    ingest: ['in-1', 'in-2'],
    query: ['q-1'],
    queryPii: ['pii-1'],
    erase: ['er-1'],
    legacy: ['old-1'],
  });
  const scopes = (header: string | undefined) => {
    const identity = keyring.identify(header);
    return identity.kind === 'known' ? [...identity.scopes].sort() : identity.kind;
  };

  it('grants each list its scopes, the deprecated API_KEYS both write and read', () => {
    expect(scopes('Bearer in-2')).toEqual(['write']);
    expect(scopes('Bearer q-1')).toEqual(['read']);
    expect(scopes('Bearer pii-1')).toEqual(['read', 'read:contact']);
    expect(scopes('Bearer er-1')).toEqual(['erase']);
    expect(scopes('Bearer old-1')).toEqual(['read', 'write']);
  });
  it('tells a missing key from an unknown one, and accepts only the Bearer scheme', () => {
    expect(scopes(undefined)).toBe('missing');
    expect(scopes('Basic in-1')).toBe('missing');
    expect(scopes('Bearer ')).toBe('missing');
    expect(scopes('Bearer in-')).toBe('unknown');
    expect(scopes('Bearer in-1x')).toBe('unknown');
    expect(scopes('bearer   in-1  ')).toEqual(['write']);
  });
  it('unites the scopes of a key listed twice, and says which scopes any key grants', () => {
    const both = createKeyring({ ingest: ['k'], query: ['k'] });
    const identity = both.identify('Bearer k');
    expect(identity.kind === 'known' && [...identity.scopes].sort()).toEqual(['read', 'write']);
    expect(both.grants('erase')).toBe(false);
    expect(keyring.grants('erase')).toBe(true);
  });
});
