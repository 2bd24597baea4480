import { dependencyWait, RetryableError } from '@vocflow/steps';
import type { TokenBucket } from './token-bucket.ts';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** The provider answered that the thing is not there or not usable: retrying cannot help. */
export class NotHydratableError extends Error {
  override readonly name = 'NotHydratableError';
}

export interface ProviderGetOptions {
  readonly fetch: FetchLike;
  readonly bucket: TokenBucket;
  readonly attempts: number;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly timeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * GET a provider API resource as JSON, rate limited, with bounded retries on 5xx, 429, 401/403 (a
 * token being rotated) and network errors. Gives up with RetryableError('provider') so the runner
 * backs off and retries the message later; 404 and other 4xx, or a body that is not JSON, throw
 * NotHydratableError.
 */
export async function providerGet(
  url: string,
  headers: Record<string, string>,
  options: ProviderGetOptions,
): Promise<unknown> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let lastError = 'no attempt';
  let hint: number | undefined;
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    // Waits on the provider (rate limit, request, backoff) do not count against the runner's message
    // budget: the timeouts and attempts here bound them, and a provider that stays slow is retryable.
    await dependencyWait(() => options.bucket.take());
    let status = 0;
    try {
      const response = await dependencyWait(() =>
        options.fetch(url, {
          method: 'GET',
          headers: { accept: 'application/json', ...headers },
          signal: AbortSignal.timeout(options.timeoutMs),
        }),
      );
      status = response.status;
      if (status >= 200 && status < 300) {
        const text = await dependencyWait(() => response.text());
        try {
          return JSON.parse(text);
        } catch {
          throw new NotHydratableError(`provider answered ${status} with a body that is not JSON`);
        }
      }
      if (status === 429 || status >= 500 || status === 401 || status === 403 || status === 408) {
        hint = retryAfterMs(response.headers.get('retry-after'));
        lastError = `provider answered ${status}`;
      } else {
        throw new NotHydratableError(`provider answered ${status}`);
      }
    } catch (error) {
      if (error instanceof NotHydratableError) throw error;
      if (status === 0) lastError = `provider unreachable: ${(error as Error).message}`;
    }
    // A provider asking for a long pause: hand the wait to the runner instead of holding the batch.
    if (hint !== undefined && hint > options.maxMs) break;
    if (attempt < options.attempts) {
      const backoff = Math.min(options.maxMs, options.initialMs * 2 ** (attempt - 1));
      await dependencyWait(() => sleep(Math.max(hint ?? 0, Math.random() * backoff)));
    }
  }
  throw new RetryableError('provider', lastError, hint === undefined ? {} : { retryAfterMs: hint });
}
