import { createRedis, type RedisClient } from '@vocflow/clients';
import { parseConfig, redisEnv, toRedisConfig } from '@vocflow/config';
import { createPseudonymKeying, erasureKeys } from '@vocflow/contracts';
import type { Command } from 'commander';
import { z } from 'zod';
import { arg, httpUrl, positiveNumber, UsageError } from '../options.ts';

/** How long `vocflow erase` waits for ingest, and with --wait for the erasure to finish, by default. */
export const ERASE_TIMEOUT_SECONDS = 60;

interface EraseOptions {
  readonly customer?: string;
  readonly email?: string;
  readonly ingestUrl?: string;
  readonly wait: boolean;
  readonly timeout: number;
}

/** What to erase, as the ingest endpoint takes it: a path under `/v1/customers/`. */
export interface EraseTarget {
  readonly path: string;
  /** How the customer is named in messages (never the address). */
  readonly label: string;
}

/**
 * Checks the options and builds the request path: exactly one of --customer and --email; an address
 * is sent as its pseudonym (PII_HASH_SALT), so it never leaves this machine. Pure (the salt is given).
 */
export function eraseTarget(
  options: { customer?: string | undefined; email?: string | undefined },
  salt: string | undefined,
): EraseTarget {
  const problems: string[] = [];
  const customer = options.customer?.trim();
  const email = options.email?.trim();
  if ((customer ? 1 : 0) + (email ? 1 : 0) !== 1)
    problems.push('give exactly one of --customer <id> and --email <address>');
  if (customer !== undefined && (customer.length > 256 || customer.startsWith('email:')))
    problems.push('--customer: a customer id is 1 to 256 characters and does not start with "email:"');
  if (email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(email))
    problems.push(`--email: expected an email address, got "${email}"`);
  if (problems.length > 0) throw new UsageError(problems);
  if (customer)
    return { path: `/v1/customers/${encodeURIComponent(customer)}`, label: `customer ${customer}` };
  const pseudonym = createPseudonymKeying(salt).email(email!);
  return {
    path: `/v1/customers/by-email/${pseudonym}`,
    label: `the customer with that address (${pseudonym})`,
  };
}

/** The erase key: the first of ERASE_API_KEYS. */
export function eraseKey(env: Record<string, string | undefined>): string {
  const key = (env['ERASE_API_KEYS'] ?? '')
    .split(',')
    .map((k) => k.trim())
    .find(Boolean);
  if (!key) throw new UsageError(['ERASE_API_KEYS: set a key with the erase scope (the first one is used)']);
  return key;
}

/** Whether the audit log holds the erasure (its last `scan` records). */
async function audited(
  redis: RedisClient,
  prefix: string,
  erasureId: string,
  scan = 1_000,
): Promise<boolean> {
  const entries = (await redis.xrevrange(erasureKeys(prefix).audit, '+', '-', 'COUNT', scan)) as [
    string,
    string[],
  ][];
  return entries.some(([, fields]) => fields.includes(erasureId));
}

export function registerErase(program: Command): void {
  program
    .command('erase')
    .description(
      'erase a customer everywhere (profile, parked items, rollups, latest feedback, verbatims, archive, feeds): DELETE /v1/customers/{id} on ingest with the first ERASE_API_KEYS key',
    )
    .option('--customer <id>', 'the customer id')
    .option('--email <address>', 'the customer email address (sent as its PII_HASH_SALT pseudonym)')
    .option(
      '--ingest-url <url>',
      'ingest base URL (default http://127.0.0.1:$INGEST_PORT, port 8080)',
      arg(httpUrl),
    )
    .option('--wait', 'wait until the erasure is in the audit log (REDIS_URL, REDIS_KEY_PREFIX)', false)
    .option(
      '--timeout <seconds>',
      'how long to wait for ingest, and with --wait for the erasure to finish',
      arg(positiveNumber(3600)),
      ERASE_TIMEOUT_SECONDS,
    )
    .action(async (options: EraseOptions) => {
      const env = process.env;
      const target = eraseTarget(options, env['PII_HASH_SALT']);
      const key = eraseKey(env);
      // Checked before anything is sent: a bad REDIS_* with --wait is a usage error (exit 2).
      const redisConfig = options.wait ? toRedisConfig(parseConfig('erase', z.object(redisEnv), env)) : null;
      const base = (options.ingestUrl ?? `http://127.0.0.1:${env['INGEST_PORT'] ?? '8080'}`).replace(
        /\/+$/,
        '',
      );
      const deadline = Date.now() + options.timeout * 1000;
      const response = await fetch(`${base}${target.path}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${key}` },
        signal: AbortSignal.timeout(options.timeout * 1000),
      });
      const body = (await response.json().catch(() => ({}))) as { erasureId?: string; detail?: string };
      if (response.status !== 202 || !body.erasureId)
        throw new Error(`ingest answered ${response.status}: ${body.detail ?? 'no erasure id'}`);
      process.stdout.write(`erasure ${body.erasureId} accepted for ${target.label}\n`);
      if (!redisConfig) return;
      const redis = createRedis(redisConfig, { name: 'vocflow-erase' });
      redis.on('error', () => undefined);
      try {
        // Redis may not be connected yet (no offline queue) or may blip: asked again until the deadline.
        let lastError: unknown;
        for (;;) {
          try {
            if (await audited(redis, redisConfig.keyPrefix, body.erasureId)) break;
            lastError = undefined;
          } catch (error) {
            lastError = error;
          }
          if (Date.now() >= deadline)
            throw new Error(
              `erasure ${body.erasureId} not finished within ${options.timeout} s (--timeout)${lastError ? `; Redis: ${(lastError as Error).message}` : ''}`,
            );
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
        process.stdout.write(`erasure ${body.erasureId} finished (see the audit log)\n`);
      } finally {
        await redis.quit().catch(() => redis.disconnect());
      }
    });
}
