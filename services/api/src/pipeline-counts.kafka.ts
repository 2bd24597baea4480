import type { Admin, Kafka } from 'kafkajs';
import type { PipelineCounter, PipelineCounts } from './rollup-queries.ts';

export interface KafkaPipelineCounterOptions {
  readonly kafka: Kafka;
  readonly rawTopic: string;
  readonly dlqTopic: string;
  /** Age past which a read starts a refresh in the background; the dashboard polls every few seconds. */
  readonly refreshMs: number;
  /** A refresh Kafka has not answered within this time makes the counts null until one succeeds. */
  readonly timeoutMs: number;
}

export interface KafkaPipelineCounter extends PipelineCounter {
  /** Starts the first refresh. */
  start(): void;
  /** Refreshes now; resolves within `timeoutMs` whatever Kafka does. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Records accepted by ingest and records dead-lettered, as the sum of the topics' high watermarks.
 * A request never waits on Kafka: `counts()` answers at once with the result of the latest refresh;
 * null before the first answer and while Kafka does not answer (the dashboard shows a dash, the API
 * stays fast). A read of counts older than `refreshMs` starts a refresh in the background, so nobody
 * reading means no request to Kafka (an idle API polls nothing). At most one request is in flight.
 */
export function createKafkaPipelineCounter(options: KafkaPipelineCounterOptions): KafkaPipelineCounter {
  let admin: Admin | undefined;
  let latest: PipelineCounts | null = null;
  let inFlight: Promise<void> | undefined;
  let refreshedAt = Number.NEGATIVE_INFINITY;
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
    if (!inFlight) refreshedAt = performance.now();
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
      if (closed) return;
      void refresh();
    },
    refresh,
    counts() {
      if (performance.now() - refreshedAt >= options.refreshMs) void refresh();
      return Promise.resolve(latest);
    },
    async close() {
      closed = true;
      await Promise.race([
        inFlight?.catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, options.timeoutMs).unref()),
      ]);
      await dropAdmin();
    },
  };
}
