import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { problems } from './problem.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Bearer-token check against the configured keys (several at once, for rotation). Keys are compared
 * as SHA-256 digests in constant time, so neither their length nor their prefix leaks.
 */
export function createApiKeyCheck(keys: readonly string[]): (request: FastifyRequest) => Promise<void> {
  const digests = keys.map(digest);
  return async function checkApiKey(request) {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) throw problems.unauthorized();
    const given = digest(match[1]);
    let ok = false;
    for (const candidate of digests) ok = timingSafeEqual(given, candidate) || ok;
    if (!ok) throw problems.unauthorized();
  };
}
