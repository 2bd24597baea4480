import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PairHistogram } from './pair-histogram.ts';

const BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1];

function pair() {
  const ours = new Registry();
  const theirs = new Registry();
  for (const r of [ours, theirs]) r.setDefaultLabels({ service: 'test' });
  const options = {
    name: 'vocflow_step_duration_seconds',
    help: 'Latency of each pipeline step',
    buckets: BUCKETS,
  };
  const fast = new PairHistogram({ ...options, labelNames: ['step', 'outcome'], registers: [ours] });
  const reference = new Histogram({ ...options, labelNames: ['step', 'outcome'], registers: [theirs] });
  const observe = (step: string, outcome: string, value: number) => {
    fast.observe(step, outcome, value);
    reference.labels({ step, outcome }).observe(value);
  };
  return { ours, theirs, fast, observe };
}

/** The samples of an exposition, each as `name{labels sorted} value`, sorted (order means nothing in it). */
function samples(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const m = /^([^{ ]+)(?:\{(.*)\})? (.+)$/.exec(line);
      if (!m || line.startsWith('#')) return line;
      const labels = (m[2] ?? '').split(',').filter(Boolean).sort().join(',');
      return `${m[1]}{${labels}} ${m[3]}`;
    })
    .sort();
}

describe('PairHistogram', () => {
  it('exports what prom-client’s Histogram exports for the same observations', async () => {
    const { ours, theirs, observe } = pair();
    let seed = 7;
    const next = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const steps = ['parseRawStep', 'scoreSentimentStep', 'buildEnrichedStep'];
    const outcomes = ['ok', 'dlq', 'drop'];
    for (let i = 0; i < 5_000; i += 1)
      observe(steps[i % 3]!, outcomes[Math.floor(next() * 3)]!, next() ** 4 * 2);
    // Edges: exactly on a bound belongs to that bucket (le), above the last one only to +Inf.
    for (const v of [0, 0.00005, 0.001, 1, 1.0000001, 30]) observe('edge', 'ok', v);
    const text = await ours.metrics();
    expect(samples(text)).toEqual(samples(await theirs.metrics()));
    expect(samples(text)).toContain(
      'vocflow_step_duration_seconds_bucket{le="0.001",outcome="ok",service="test",step="edge"} 3',
    );
    expect(samples(text).filter((l) => l.startsWith('vocflow_step_duration_seconds_count'))).toHaveLength(10);
  });

  it('starts again on a registry reset and ignores a value that is not a number', async () => {
    const { ours, theirs, fast, observe } = pair();
    observe('a', 'ok', 0.2);
    ours.resetMetrics();
    theirs.resetMetrics();
    observe('b', 'dlq', 0.003);
    fast.observe('b', 'dlq', Number.NaN);
    expect(samples(await ours.metrics())).toEqual(samples(await theirs.metrics()));
    expect(await ours.metrics()).not.toContain('step="a"');
  });
});
