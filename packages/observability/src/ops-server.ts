import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean> | boolean;
}

export interface OpsRoutesOptions {
  readonly registry: Registry;
  readonly checks: readonly ReadinessCheck[];
}

export async function runChecks(
  checks: readonly ReadinessCheck[],
): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
  const results = await Promise.all(
    checks.map(async (c) => {
      try {
        return [c.name, await c.check()] as const;
      } catch {
        return [c.name, false] as const;
      }
    }),
  );
  return { ready: results.every(([, ok]) => ok), checks: Object.fromEntries(results) };
}

/** `/healthz` (the process is alive), `/readyz` (its dependencies answer), `/metrics` (Prometheus). */
export const opsRoutes: FastifyPluginAsync<OpsRoutesOptions> = async (app, options) => {
  app.get('/healthz', { logLevel: 'silent' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'silent' }, async (_request, reply) => {
    const result = await runChecks(options.checks);
    return reply
      .code(result.ready ? 200 : 503)
      .send({ status: result.ready ? 'ready' : 'not_ready', ...result });
  });
  app.get('/metrics', { logLevel: 'silent' }, async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
};
// Routes must live on the parent instance, not in an encapsulated child context.
(opsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export interface OpsServer {
  readonly app: FastifyInstance;
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** A small HTTP server for workers that have no API of their own (enrichment, aggregation). */
export async function startOpsServer(
  options: OpsRoutesOptions & { port: number; host?: string; logger: Logger },
): Promise<OpsServer> {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger.child({ component: 'ops' }) as FastifyBaseLogger,
  });
  await app.register(opsRoutes, options);
  await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
