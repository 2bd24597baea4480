// The step framework and its errors live in @vocflow/steps (code that only writes steps needs no
// Kafka client); re-exported so existing imports from @vocflow/kafka keep working.
export {
  type DlqResult,
  type DropResult,
  dependencyWait,
  dlq,
  drop,
  ok,
  pipe,
  type Step,
  type StepResult,
} from '@vocflow/steps';
export * from './attempt-journal.ts';
export * from './client.ts';
export * from './consumer.ts';
export * from './dlq.ts';
export * from './errors.ts';
export * from './health.ts';
export * from './partitioner.ts';
export * from './producer.ts';
export * from './read-to-end.ts';
export * from './record-size.ts';
export * from './topic-offsets.ts';
export * from './topics.ts';
export type * from './types.ts';
