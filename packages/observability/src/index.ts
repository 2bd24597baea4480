export * from './cost-counters.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './ops-server.ts';
export * from './pair-histogram.ts';
export * from './shutdown.ts';
