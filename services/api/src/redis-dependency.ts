import { isRedisCommandTimeout } from '@vocflow/clients';
import { RetryableError } from '@vocflow/steps';

/**
 * Wraps every method of `target` so that a failure while Redis is not ready is a typed
 * `RetryableError('redis')` (503 with Retry-After at the edge). The client's own state says which
 * dependency failed, not the wording of its message; a failure while Redis is ready stays what it is,
 * except a command Redis did not answer within `REDIS_COMMAND_TIMEOUT_MS` (a hung server still looks
 * ready to the client).
 */
export function failingAsRedis<T extends object>(target: T, isReady: () => boolean): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    wrapped[name] = (...args: unknown[]) => {
      let result: unknown;
      try {
        result = value.apply(target, args);
      } catch (error) {
        throw classify(error, isReady);
      }
      return result instanceof Promise
        ? result.catch((error: unknown) => Promise.reject(classify(error, isReady)))
        : result;
    };
  }
  return wrapped as T;
}

function classify(error: unknown, isReady: () => boolean): unknown {
  if (isRedisCommandTimeout(error))
    return new RetryableError('redis', 'Redis did not answer in time', { cause: error });
  if (error instanceof RetryableError || isReady()) return error;
  return new RetryableError('redis', 'Redis is not ready', { cause: error });
}
