import { decode, FeedbackAlert } from '@vocflow/contracts';
import {
  type BatchConsumer,
  createBatchConsumer,
  dlq,
  type InboundMessage,
  type OutboundMessage,
  ok,
  RetryableError,
  type StepResult,
  toDlqMessage,
  type VocflowProducer,
} from '@vocflow/kafka';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { WebhookSender } from './webhook.sender.ts';

export interface AlertWebhookDeps {
  readonly kafka: Kafka;
  readonly producer: VocflowProducer;
  readonly sender: WebhookSender;
  readonly topics: { readonly alerts: string; readonly dlq: string };
  readonly groupId: string;
  readonly concurrency: number;
  readonly logger: Logger;
  readonly onDelivery?: (outcome: 'delivered' | 'failed') => void;
}

export function parseAlertStep(message: InboundMessage): StepResult<FeedbackAlert> {
  const decoded = decode(FeedbackAlert, message.value);
  if (!decoded.ok)
    return dlq('parseAlertStep', 'invalid_schema', 'not a valid feedback.alerts.v1 record', decoded.issues);
  return ok(decoded.value);
}

/** Runs `work` over `items` with at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * Delivers alerts to the outbound webhook from a consumer group of its own, so a slow or failing
 * receiver holds back only these deliveries, never enrichment. Deliveries of a batch run concurrently
 * (bounded); each retries with backoff and, after its last attempt, goes to the DLQ (stage `alerts`)
 * so the next ones are not held back. `webhook-id` is the alertId: receivers can deduplicate.
 * The runner's metrics stay with the main consumer (one registry holds each metric name once).
 */
export function createAlertWebhookConsumer(deps: AlertWebhookDeps): BatchConsumer {
  const stopping = new AbortController();
  const consumer = createBatchConsumer<FeedbackAlert>({
    kafka: deps.kafka,
    groupId: deps.groupId,
    topics: [deps.topics.alerts],
    service: 'enrichment',
    stage: 'alerts',
    dlqTopic: deps.topics.dlq,
    producer: deps.producer,
    logger: deps.logger.child({ component: 'alert-webhook' }),
    process: async (message) => parseAlertStep(message),
    sink: {
      async write(outputs, context) {
        const dead: OutboundMessage[] = [];
        let aborted = false;
        const beat = setInterval(() => void context.heartbeat().catch(() => undefined), 2_000);
        try {
          await eachLimited(outputs, deps.concurrency, async ({ message, value }) => {
            const result = await deps.sender.deliver(value.alertId, JSON.stringify(value), stopping.signal);
            if (result.ok) {
              deps.onDelivery?.('delivered');
              return;
            }
            if (result.aborted) {
              aborted = true;
              return;
            }
            deps.onDelivery?.('failed');
            context.log.warn(
              { alertId: value.alertId, attempts: result.attempts, detail: result.detail },
              'alert delivery failed',
            );
            dead.push(
              toDlqMessage(message, dlq('deliverAlertStep', 'webhook_delivery_failed', result.detail), {
                stage: 'alerts',
                service: 'enrichment',
                attempts: result.attempts,
                feedbackId: value.feedbackId,
              }),
            );
          });
        } finally {
          clearInterval(beat);
        }
        // Shutting down mid-delivery: commit nothing, the next owner delivers again (same webhook-id).
        if (aborted) throw new RetryableError('webhook', 'shutting down during delivery');
        if (dead.length > 0) await deps.producer.send(deps.topics.dlq, dead);
        return undefined;
      },
    },
  });
  return {
    start: () => consumer.start(),
    isReady: () => consumer.isReady(),
    close() {
      stopping.abort();
      return consumer.close();
    },
  };
}
