/** Latency recording and the summaries the report uses: percentiles, medians, rates. */

/**
 * Records latencies in microsecond buckets with ~1 % relative precision (an HdrHistogram-like
 * log-linear layout), so millions of samples cost a few kilobytes and percentiles stay exact enough.
 */
export interface LatencyRecorder {
  record(ms: number): void;
  readonly count: number;
  percentile(p: number): number;
  max(): number;
  mean(): number;
  merge(other: LatencyRecorder): void;
  /** Raw bucket counts (for merging). */
  buckets(): ReadonlyMap<number, number>;
}

const SUB_BUCKETS = 128;

function bucketOf(us: number): number {
  if (us < SUB_BUCKETS) return Math.max(0, Math.floor(us));
  const exponent = Math.floor(Math.log2(us / SUB_BUCKETS));
  const base = SUB_BUCKETS * 2 ** exponent;
  const step = base / SUB_BUCKETS;
  return SUB_BUCKETS * (exponent + 1) + Math.floor((us - base) / step);
}

function upperOf(bucket: number): number {
  if (bucket < SUB_BUCKETS) return bucket + 1;
  const exponent = Math.floor(bucket / SUB_BUCKETS) - 1;
  const base = SUB_BUCKETS * 2 ** exponent;
  const step = base / SUB_BUCKETS;
  return base + ((bucket % SUB_BUCKETS) + 1) * step;
}

export function createLatencyRecorder(): LatencyRecorder {
  const counts = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let max = 0;
  const recorder: LatencyRecorder = {
    record(ms) {
      const us = Math.max(0, ms * 1000);
      const bucket = bucketOf(us);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      count += 1;
      sum += ms;
      if (ms > max) max = ms;
    },
    get count() {
      return count;
    },
    percentile(p) {
      if (count === 0) return Number.NaN;
      const rank = Math.max(1, Math.ceil((p / 100) * count));
      let seen = 0;
      for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
        seen += counts.get(bucket)!;
        if (seen >= rank) return Math.min(upperOf(bucket) / 1000, max);
      }
      return max;
    },
    max: () => (count === 0 ? Number.NaN : max),
    mean: () => (count === 0 ? Number.NaN : sum / count),
    merge(other) {
      for (const [bucket, n] of other.buckets()) counts.set(bucket, (counts.get(bucket) ?? 0) + n);
      count += other.count;
      sum += other.mean() * other.count || 0;
      max = Math.max(max, other.max() || 0);
    },
    buckets: () => counts,
  };
  return recorder;
}

/** The median of finite numbers; NaN when there are none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** `a / b`, or null when either side is missing or b is zero. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** Rounds for the report: 3 significant decimals for small numbers, integers for large ones. */
export function round(value: number | null | undefined, digits = 3): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (Math.abs(value) >= 100) return Math.round(value);
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Runs each named variant `runs` times, interleaved (a, b, c, a, b, c, …) so drift on a noisy machine
 * hits every variant alike, and returns the per-variant samples.
 */
export async function interleave<K extends string, R>(
  runs: number,
  variants: Readonly<Record<K, () => Promise<R>>>,
): Promise<Record<K, R[]>> {
  const samples = {} as Record<K, R[]>;
  for (const key of Object.keys(variants) as K[]) samples[key] = [];
  for (let i = 0; i < runs; i += 1) {
    for (const key of Object.keys(variants) as K[]) samples[key].push(await variants[key]());
  }
  return samples;
}

/** The median of one numeric field over samples. */
export function medianOf<T>(samples: readonly T[], pick: (sample: T) => number | null | undefined): number {
  return median(samples.map((s) => pick(s) ?? Number.NaN));
}
