import { topicNames } from '@vocflow/contracts';
import {
  type BatchConsumer,
  createBatchConsumer,
  type RunnerLimits,
  type Sink,
  type VocflowProducer,
} from '@vocflow/kafka';
import type { Logger, Registry } from '@vocflow/observability';
import type { Kafka } from 'kafkajs';
import { createAggregationPipeline } from './pipeline.ts';
import type { AggregationOutput } from './types.ts';

/** Group `${prefix}vocflow-aggregation`: enriched feedback, customer profiles and alerts into Redis. */
export function createAggregationConsumer(deps: {
  kafka: Kafka;
  producer: VocflowProducer;
  sink: Sink<AggregationOutput>;
  topicPrefix: string;
  logger: Logger;
  registry?: Registry;
  concurrency: number;
  onCrash?: (error: Error) => void;
  /** Per-message budget and the attempt journal (see the runner's policy). */
  runner?: RunnerLimits;
}): BatchConsumer {
  const topics = topicNames(deps.topicPrefix);
  return createBatchConsumer({
    kafka: deps.kafka,
    groupId: `${deps.topicPrefix}vocflow-aggregation`,
    topics: [topics.feedbackEnriched, topics.customers, topics.alerts],
    service: 'aggregation',
    stage: 'aggregation',
    dlqTopic: topics.dlq,
    producer: deps.producer,
    logger: deps.logger,
    ...(deps.registry ? { registry: deps.registry } : {}),
    process: createAggregationPipeline({ topicPrefix: deps.topicPrefix }),
    sink: deps.sink,
    partitionsConsumedConcurrently: deps.concurrency,
    retry: { initialMs: 200, maxMs: 5_000 },
    ...(deps.onCrash ? { onCrash: deps.onCrash } : {}),
    ...deps.runner,
  });
}
