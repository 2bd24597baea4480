import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from './error-handler.ts';
import { Problem } from './problem.ts';

class StoreDown extends Error {
  readonly dependency = 'redis';
}
class TooBig extends Error {}

async function appThrowing(error: unknown) {
  const app = Fastify({ logger: false, bodyLimit: 1024 });
  app.setErrorHandler(
    createErrorHandler({
      retryAfterSeconds: 7,
      classify: (e) => (e instanceof TooBig ? new Problem('record_too_large', 'over 1000 bytes') : undefined),
    }),
  );
  app.get('/boom', async () => {
    throw error;
  });
  app.post('/body', async () => ({ ok: true }));
  app.get(
    '/typed',
    { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } },
    async () => ({}),
  );
  return app;
}

describe('the shared error handler', () => {
  it('answers a typed dependency failure with 503 and Retry-After, never guessing from a message', async () => {
    const down = await (await appThrowing(new StoreDown('x'))).inject({ method: 'GET', url: '/boom' });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('7');
    expect(down.json().type).toBe('https://vocflow.dev/problems/dependency-unavailable');
    const message = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const bug = await (await appThrowing(message)).inject({ method: 'GET', url: '/boom' });
    expect(bug.statusCode).toBe(500);
  });
  it('answers the service’s typed errors, validation with field paths, and a body over the limit naming it', async () => {
    const app = await appThrowing(new TooBig());
    expect((await app.inject({ method: 'GET', url: '/boom' })).statusCode).toBe(413);
    const invalid = await app.inject({ method: 'GET', url: '/typed?n=abc' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().issues[0].path).toContain('n');
    const big = await app.inject({
      method: 'POST',
      url: '/body',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(2000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ type: 'https://vocflow.dev/problems/payload-too-large' });
    expect(big.json().detail).toContain('1024 bytes');
  });
});
