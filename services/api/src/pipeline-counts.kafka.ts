import type { Admin, Kafka } from 'kafkajs';
import type { PipelineCounter, PipelineCounts } from './rollup-queries.ts';

export interface KafkaPipelineCounterOptions {
  readonly kafka: Kafka;
  readonly rawTopic: string;
  readonly dlqTopic: string;
  /** How long one answer is reused; the dashboard polls every few seconds. */
  readonly cacheMs: number;
}

/**
 * Records accepted by ingest and records dead-lettered, as the sum of the topics' high watermarks.
 * Cached briefly; null while Kafka does not answer (the dashboard shows a dash, the API stays up).
 */
export function createKafkaPipelineCounter(options: KafkaPipelineCounterOptions): PipelineCounter & {
  close(): Promise<void>;
} {
  let admin: Admin | undefined;
  let cached: { at: number; value: PipelineCounts | null } | undefined;
  let inFlight: Promise<PipelineCounts | null> | undefined;

  async function sum(client: Admin, topic: string): Promise<number> {
    const offsets = await client.fetchTopicOffsets(topic);
    return offsets.reduce((total, partition) => total + Number(partition.high), 0);
  }

  async function fetch(): Promise<PipelineCounts | null> {
    try {
      if (!admin) {
        admin = options.kafka.admin({ retry: { retries: 0 } });
        await admin.connect();
      }
      const [ingested, dlq] = await Promise.all([sum(admin, options.rawTopic), sum(admin, options.dlqTopic)]);
      return { ingested, dlq };
    } catch {
      const broken = admin;
      admin = undefined;
      await broken?.disconnect().catch(() => undefined);
      return null;
    }
  }

  return {
    counts() {
      if (cached && Date.now() - cached.at < options.cacheMs) return Promise.resolve(cached.value);
      inFlight ??= fetch().then((value) => {
        cached = { at: Date.now(), value };
        inFlight = undefined;
        return value;
      });
      return inFlight;
    },
    async close() {
      await inFlight?.catch(() => undefined);
      await admin?.disconnect().catch(() => undefined);
      admin = undefined;
    },
  };
}
