import { topicNames } from '@vocflow/contracts';
import {
  type BatchConsumer,
  createBatchConsumer,
  type RunnerLimits,
  type Sink,
  type VocflowProducer,
} from '@vocflow/kafka';
import type { Logger } from '@vocflow/observability';
import type { Kafka } from 'kafkajs';
import { createArchivePipeline } from './pipeline.ts';
import type { ArchiveEntry } from './types.ts';

/** Group `${prefix}vocflow-archive`: every enriched event into the S3 archive, committed once stored. */
export function createArchiveConsumer(deps: {
  kafka: Kafka;
  producer: VocflowProducer;
  sink: Sink<ArchiveEntry>;
  topicPrefix: string;
  logger: Logger;
  concurrency: number;
  flushIntervalMs: number;
  onCrash?: (error: Error) => void;
  /** Per-message budget and the attempt journal (see the runner's policy). */
  runner?: RunnerLimits;
}): BatchConsumer {
  const topics = topicNames(deps.topicPrefix);
  return createBatchConsumer({
    kafka: deps.kafka,
    groupId: `${deps.topicPrefix}vocflow-archive`,
    topics: [topics.feedbackEnriched],
    service: 'aggregation',
    stage: 'archive',
    dlqTopic: topics.dlq,
    producer: deps.producer,
    logger: deps.logger.child({ component: 'archive' }),
    process: createArchivePipeline(),
    sink: deps.sink,
    partitionsConsumedConcurrently: deps.concurrency,
    flushIntervalMs: deps.flushIntervalMs,
    retry: { initialMs: 200, maxMs: 5_000 },
    ...(deps.onCrash ? { onCrash: deps.onCrash } : {}),
    ...deps.runner,
  });
}
