import { collectDefaultMetrics, Registry } from 'prom-client';
import { costCountersRequested, enableCostCounters, registerCostCounters } from './cost-counters.ts';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** How often the event-loop delay histogram (`nodejs_eventloop_lag_*`) takes a sample. */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * A registry per service with the process metrics (CPU, memory, event loop lag) and a service label;
 * with `VOCFLOW_COST_COUNTERS=1`, the fixed-cost counters too (see cost-counters.ts).
 */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // The event-loop delay is sampled every 100 ms, not every 10 ms (prom-client's default): a timer
  // 100 times a second cost each idle service about half a percent of a core.
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
