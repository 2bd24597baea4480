import type { Admin, Kafka } from 'kafkajs';
import type { PipelineCounter, PipelineCounts } from './rollup-queries.ts';

export interface KafkaPipelineCounterOptions {
  readonly kafka: Kafka;
  readonly rawTopic: string;
  readonly dlqTopic: string;
  /** How often the counts are refreshed in the background; the dashboard polls every few seconds. */
  readonly refreshMs: number;
  /** A refresh Kafka has not answered within this time makes the counts null until one succeeds. */
  readonly timeoutMs: number;
}

export interface KafkaPipelineCounter extends PipelineCounter {
  /** Starts the background refresh (the first one at once). */
  start(): void;
  /** Refreshes now; resolves within `timeoutMs` whatever Kafka does. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Records accepted by ingest and records dead-lettered, as the sum of the topics' high watermarks.
 * A request never waits on Kafka: `counts()` answers at once with the result of the latest refresh,
 * which runs in the background; null before the first answer and while Kafka does not answer (the
 * dashboard shows a dash, the API stays fast). At most one request to Kafka is in flight.
 */
export function createKafkaPipelineCounter(options: KafkaPipelineCounterOptions): KafkaPipelineCounter {
  let admin: Admin | undefined;
  let latest: PipelineCounts | null = null;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function sum(client: Admin, topic: string): Promise<number> {
    const offsets = await client.fetchTopicOffsets(topic);
    return offsets.reduce((total, partition) => total + Number(partition.high), 0);
  }

  async function fetchCounts(): Promise<PipelineCounts> {
    if (!admin) {
      admin = options.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
    }
    const [ingested, dlq] = await Promise.all([sum(admin, options.rawTopic), sum(admin, options.dlqTopic)]);
    return { ingested, dlq };
  }

  async function dropAdmin(): Promise<void> {
    const broken = admin;
    admin = undefined;
    await broken?.disconnect().catch(() => undefined);
  }

  function refresh(): Promise<void> {
    if (closed) return Promise.resolve();
    inFlight ??= fetchCounts()
      .then(
        (value) => {
          latest = value;
        },
        async () => {
          latest = null;
          await dropAdmin();
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    const current = inFlight;
    let deadline: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      deadline = setTimeout(() => {
        // Kafka is slow or silent: say so now rather than show counts of an unknown age.
        if (inFlight === current) latest = null;
        resolve();
      }, options.timeoutMs);
    });
    return Promise.race([current, late]).finally(() => clearTimeout(deadline));
  }

  return {
    start() {
      if (timer || closed) return;
      void refresh();
      timer = setInterval(() => void refresh(), options.refreshMs);
      timer.unref();
    },
    refresh,
    counts: () => Promise.resolve(latest),
    async close() {
      closed = true;
      clearInterval(timer);
      await Promise.race([
        inFlight?.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, options.timeoutMs).unref()),
      ]);
      await dropAdmin();
    },
  };
}
