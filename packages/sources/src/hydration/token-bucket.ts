/** A token bucket in memory (per process): `take()` resolves when a token is available. */
export interface TokenBucket {
  /** Takes a token if there is one; returns false otherwise (no waiting). */
  tryTake(): boolean;
  /** Waits until a token is available, then takes it. */
  take(): Promise<void>;
  /** Milliseconds until the next token. */
  waitMs(): number;
}

export function createTokenBucket(
  perSecond: number,
  burst = perSecond,
  now: () => number = () => performance.now(),
): TokenBucket {
  let tokens = burst;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(burst, tokens + ((t - last) / 1000) * perSecond);
    last = t;
  };
  const bucket: TokenBucket = {
    tryTake() {
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return true;
      }
      return false;
    },
    waitMs() {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / perSecond) * 1000);
    },
    async take() {
      while (!bucket.tryTake()) await new Promise((r) => setTimeout(r, Math.max(1, bucket.waitMs())));
    },
  };
  return bucket;
}
