import { collectDefaultMetrics, Registry } from 'prom-client';
import { costCountersRequested, enableCostCounters, registerCostCounters } from './cost-counters.ts';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How often the event-loop delay histogram (`nodejs_eventloop_lag_*`) takes a sample: a stall longer
 * than this is always recorded, a shorter one in proportion to its length.
 */
const EVENT_LOOP_SAMPLE_MS = 1_000;

/**
 * A registry per service with the process metrics (CPU, memory, event loop lag) and a service label;
 * with `VOCFLOW_COST_COUNTERS=1`, the fixed-cost counters too (see cost-counters.ts).
 */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop delay is sampled once a second, not every 10 ms (prom-client's default): its timer
  // costs an idle process ~4.8 ms of CPU a second at 10 ms, ~1.4 at 100 ms and ~0.5 at 1 s (node 24,
  // this machine; 0.15 without it), and the services' idle budget is 2 % of a core for all four.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  if (costCountersRequested()) {
    enableCostCounters();
    registerCostCounters(registry);
  }
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `make` builds. */
export function getOrCreate<M>(registry: Registry, name: string, make: () => M): M {
  const existing = registry.getSingleMetric(name);
  return (existing as M | undefined) ?? make();
}
