import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The clock of the message being processed: how long it has waited on dependencies. Time spent
 * waiting on a dependency (a provider API, its backoff, a rate limiter) does not count against the
 * message's budget: a slow dependency is bounded by its own timeout and surfaces as a RetryableError,
 * which pauses the partition rather than sending a good message to the DLQ.
 */
export interface MessageClock {
  readonly started: number;
  waitedMs: number;
  waitingSince: number | undefined;
  depth: number;
}

const clocks = new AsyncLocalStorage<MessageClock>();

export function startClock(): MessageClock {
  return { started: performance.now(), waitedMs: 0, waitingSince: undefined, depth: 0 };
}

/** Runs the message's work with its clock, so `dependencyWait` inside it knows which message waits. */
export function withClock<T>(clock: MessageClock, work: () => Promise<T>): Promise<T> {
  return clocks.run(clock, work);
}

/** Time the message has spent on its own work: elapsed time less the time it waited on dependencies. */
export function ownTimeMs(clock: MessageClock, now = performance.now()): number {
  const waiting = clock.waitingSince === undefined ? 0 : now - clock.waitingSince;
  return now - clock.started - clock.waitedMs - waiting;
}

/**
 * Awaits a dependency (an HTTP call to a provider, a backoff before retrying it, a rate limiter) without
 * charging the wait to the message's processing budget. Outside a runner it simply awaits.
 */
export async function dependencyWait<T>(work: () => Promise<T>): Promise<T> {
  const clock = clocks.getStore();
  if (!clock) return work();
  if (clock.depth === 0) clock.waitingSince = performance.now();
  clock.depth += 1;
  try {
    return await work();
  } finally {
    clock.depth -= 1;
    if (clock.depth === 0 && clock.waitingSince !== undefined) {
      clock.waitedMs += performance.now() - clock.waitingSince;
      clock.waitingSince = undefined;
    }
  }
}
