import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const PAGE = readFileSync(new URL('./dashboard.html', import.meta.url), 'utf8');

/**
 * `GET /`: the built-in dashboard, one static page with inline script and style. It holds no data
 * and no key; it asks the /v1 API with the key the user gives it.
 */
export const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', { logLevel: 'warn' }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(PAGE),
  );
};
