import type { Registry } from 'prom-client';

interface Series {
  readonly first: string;
  readonly second: string;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface ExportedValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName: string;
}

/**
 * A histogram with exactly two labels, for observations made per message and step. prom-client's
 * `Histogram#observe` (even through a child from `labels()`) validates and hashes the label object
 * on every call; here a series is found by two map lookups on the label values and a bucket by a scan
 * of the bounds, with no object, string or closure made per observation. It registers as a metric of
 * type `histogram` and exports the same series, in the same format, as prom-client's `Histogram`
 * with the same name, labels and buckets would (tested against it).
 */
export class PairHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly [string, string];
  private readonly bounds: readonly number[];
  private series = new Map<string, Map<string, Series>>();
  /** Every series in the order it first appeared (the export order). */
  private ordered: Series[] = [];

  constructor(options: {
    name: string;
    help: string;
    labelNames: readonly [string, string];
    buckets: readonly number[];
    registers?: readonly Registry[];
  }) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    // Registered the way prom-client's own metrics are (a registry reads `get()` and calls `reset()`).
    for (const registry of options.registers ?? []) registry.registerMetric(this as never);
  }

  observe(first: string, second: string, value: number): void {
    if (!Number.isFinite(value)) return;
    let bySecond = this.series.get(first);
    if (!bySecond) {
      bySecond = new Map();
      this.series.set(first, bySecond);
    }
    let series = bySecond.get(second);
    if (!series) {
      series = { first, second, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      bySecond.set(second, series);
      this.ordered.push(series);
    }
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i += 1;
    series.counts[i]! += 1;
    series.sum += value;
    series.count += 1;
  }

  /** What a registry exports: cumulative buckets, +Inf, sum and count per series, as prom-client does. */
  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: ExportedValue[];
  }> {
    const [a, b] = this.labelNames;
    const values: ExportedValue[] = [];
    for (const s of this.ordered) {
      const labels = { [a]: s.first, [b]: s.second };
      let cumulative = 0;
      for (const [i, le] of this.bounds.entries()) {
        cumulative += s.counts[i]!;
        values.push({ value: cumulative, labels: { le, ...labels }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: s.count, labels: { le: '+Inf', ...labels }, metricName: `${this.name}_bucket` });
      values.push({ value: s.sum, labels: { ...labels }, metricName: `${this.name}_sum` });
      values.push({ value: s.count, labels: { ...labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.series = new Map();
    this.ordered = [];
  }
}
