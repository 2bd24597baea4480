import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry per service with the process metrics (CPU, memory, event loop lag) and a service label. */
export function createRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Returns the metric already registered under `name`, or registers the one `make` builds. */
export function getOrCreate<M>(registry: Registry, name: string, make: () => M): M {
  const existing = registry.getSingleMetric(name);
  return (existing as M | undefined) ?? make();
}
