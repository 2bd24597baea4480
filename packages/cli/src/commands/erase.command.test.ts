import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createPseudonymKeying } from '@vocflow/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { vocflowInProcess } from '../cli.testing.ts';
import { UsageError } from '../options.ts';
import { eraseKey, eraseTarget } from './erase.command.ts';

const vocflow = vocflowInProcess;

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function ingest(answer: (request: IncomingMessage) => [number, unknown] | null) {
  const seen: { method?: string; url?: string; authorization?: string }[] = [];
  server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, authorization: request.headers.authorization });
    const reply = answer(request);
    if (!reply) return; // never answers
    response.writeHead(reply[0], { 'content-type': 'application/json' }).end(JSON.stringify(reply[1]));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, seen };
}

describe('vocflow erase: what it checks', () => {
  it('takes exactly one of --customer and --email', () => {
    expect(() => eraseTarget({}, undefined)).toThrow(UsageError);
    expect(() => eraseTarget({ customer: 'c', email: 'a@b.example' }, undefined)).toThrow(/exactly one/);
    expect(() => eraseTarget({ email: 'not-an-address' }, undefined)).toThrow(/email address/);
    expect(() => eraseTarget({ customer: 'email:x' }, undefined)).toThrow(/email:/);
  });

  it('sends an address as its salted pseudonym, never the address', () => {
    const target = eraseTarget({ email: 'Jane@Acme.example' }, 'salt-1');
    const pseudonym = createPseudonymKeying('salt-1').email('jane@acme.example');
    expect(target.path).toBe(`/v1/customers/by-email/${pseudonym}`);
    expect(`${target.path} ${target.label}`).not.toMatch(/jane|acme/i);
    expect(eraseTarget({ customer: 'cus 1/2' }, undefined).path).toBe('/v1/customers/cus%201%2F2');
  });

  it('uses the first ERASE_API_KEYS key and needs one', () => {
    expect(eraseKey({ ERASE_API_KEYS: ' k1 , k2' })).toBe('k1');
    expect(() => eraseKey({})).toThrow(/ERASE_API_KEYS/);
  });

  it('exits 2 on usage errors, before sending anything', async () => {
    const { url, seen } = await ingest(() => [202, { erasureId: 'x' }]);
    const env = { ERASE_API_KEYS: 'k' };
    expect((await vocflow(['erase', '--ingest-url', url], env)).code).toBe(2);
    expect(
      (await vocflow(['erase', '--customer', 'c', '--email', 'a@b.example', '--ingest-url', url], env)).code,
    ).toBe(2);
    expect((await vocflow(['erase', '--customer', 'c', '--ingest-url', url])).code).toBe(2);
    expect(
      (await vocflow(['erase', '--customer', 'c', '--timeout', '0', '--ingest-url', url], env)).code,
    ).toBe(2);
    expect((await vocflow(['erase', '--customer', 'c', '--ingest-url', 'ftp://x'], env)).code).toBe(2);
    // --wait reads Redis: a bad REDIS_URL is found before the request is sent.
    expect(
      (
        await vocflow(['erase', '--customer', 'c', '--wait', '--ingest-url', url], {
          ...env,
          REDIS_URL: 'http://x',
        })
      ).code,
    ).toBe(2);
    expect(seen).toEqual([]);
  });
});

describe('vocflow erase: the request', () => {
  it('sends DELETE /v1/customers/{id} with the erase key and succeeds on 202', async () => {
    const { url, seen } = await ingest(() => [202, { erasureId: 'e-123' }]);
    const result = await vocflow(['erase', '--customer', 'cus_1', '--ingest-url', url], {
      ERASE_API_KEYS: 'erase-k',
    });
    expect(result.code).toBe(0);
    expect(seen).toEqual([{ method: 'DELETE', url: '/v1/customers/cus_1', authorization: 'Bearer erase-k' }]);
  });

  it('fails (exit 1) with what ingest said when it refuses', async () => {
    const { url } = await ingest(() => [403, { detail: 'This API key does not have the "erase" scope.' }]);
    const result = await vocflow(['erase', '--customer', 'cus_1', '--ingest-url', url], {
      ERASE_API_KEYS: 'k',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('403');
  });

  it('gives up after --timeout when ingest does not answer', async () => {
    const { url } = await ingest(() => null);
    const result = await vocflow(['erase', '--customer', 'cus_1', '--timeout', '0.5', '--ingest-url', url], {
      ERASE_API_KEYS: 'k',
    });
    expect(result.code).toBe(1);
  });
});
