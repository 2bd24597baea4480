export * from './client.ts';
export * from './consumer.ts';
export * from './dlq.ts';
export * from './errors.ts';
export * from './health.ts';
export * from './producer.ts';
export * from './result.ts';
export * from './topics.ts';
export type * from './types.ts';
