import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEV_SECRET_KINDS, firstOf, loadOrCreateDevSecrets } from './dev-secrets.ts';

describe('development secrets', () => {
  it('are generated once and reused on the next start', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vf-secrets-')), '.vocflow', 'dev-secrets.json');
    const first = loadOrCreateDevSecrets(file);
    expect(first.created.sort()).toEqual(Object.keys(DEV_SECRET_KINDS).sort());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = loadOrCreateDevSecrets(file);
    expect(second.created).toEqual([]);
    expect(second.secrets).toEqual(first.secrets);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first.secrets);
  });

  it('makes Standard Webhooks secrets in whsec_ form with at least 24 bytes', () => {
    const secret = DEV_SECRET_KINDS['WEBHOOK_SECRET_GENERIC']!();
    expect(secret).toMatch(/^whsec_/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
  });

  it('takes the first key of a list', () => {
    expect(firstOf(' a, b')).toBe('a');
    expect(firstOf(undefined)).toBeUndefined();
  });
});

describe('development keys', () => {
  it('are one key per scope (ingest, query, erase), and a stored API_KEYS of an older checkout is no longer given', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vf-secrets-')), 'dev-secrets.json');
    writeFileSync(file, JSON.stringify({ API_KEYS: 'vf_dev_old' }));
    const { secrets } = loadOrCreateDevSecrets(file);
    expect(Object.keys(secrets)).toEqual(
      expect.arrayContaining(['INGEST_API_KEYS', 'QUERY_API_KEYS', 'ERASE_API_KEYS']),
    );
    expect(
      new Set([secrets['INGEST_API_KEYS'], secrets['QUERY_API_KEYS'], secrets['ERASE_API_KEYS']]).size,
    ).toBe(3);
    expect(secrets['API_KEYS']).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))['API_KEYS']).toBe('vf_dev_old');
  });
});
