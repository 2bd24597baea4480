import { createServer, type Server, type Socket } from 'node:net';
import { createKafka } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import type { Kafka } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaPipelineCounter } from './pipeline-counts.kafka.ts';

const logger = createLogger({ service: 'pipeline-counts-test', level: 'silent' });

function counterFor(brokers: string[], refreshMs = 60_000) {
  return createKafkaPipelineCounter({
    kafka: createKafka({ brokers, clientId: 'pipeline-counts-test', logger, requestTimeoutMs: 30_000 }),
    rawTopic: 'feedback.raw.v1',
    dlqTopic: 'feedback.dlq.v1',
    refreshMs,
    timeoutMs: 300,
  });
}

/** A TCP server that accepts connections and never says a word: a Kafka that hangs. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

describe('the pipeline counts never make a request wait on Kafka', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('answers null at once when Kafka is down (closed port)', async () => {
    const counter = counterFor(['127.0.0.1:1']);
    cleanups.push(() => counter.close());
    await counter.refresh();
    expect(await counter.counts()).toBeNull();
  });

  it('answers while a refresh hangs on a Kafka that accepts and never answers, and the refresh is bounded', async () => {
    const { server, port, sockets } = await silentServer();
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    const counter = counterFor([`127.0.0.1:${port}`]);
    cleanups.push(() => counter.close());
    let refreshed = false;
    const refresh = counter.refresh().then(() => {
      refreshed = true;
    });
    // counts() does not wait for the refresh in flight: it answers before it has settled.
    expect(await counter.counts()).toBeNull();
    expect(refreshed).toBe(false);
    await refresh; // ends at the refresh timeout although Kafka still has not answered
    expect(sockets.length).toBeGreaterThan(0);
    expect(await counter.counts()).toBeNull();
  });

  it('asks Kafka only when counts are read and older than refreshMs: an idle API polls nothing', async () => {
    let requests = 0;
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchTopicOffsets: async () => {
        requests++;
        return [{ partition: 0, offset: '7', high: '7', low: '0' }];
      },
    };
    const counter = createKafkaPipelineCounter({
      kafka: { admin: () => admin } as unknown as Kafka,
      rawTopic: 'feedback.raw.v1',
      dlqTopic: 'feedback.dlq.v1',
      refreshMs: 50,
      timeoutMs: 300,
    });
    cleanups.push(() => counter.close());
    await counter.refresh();
    expect(requests).toBe(2); // raw and DLQ
    // Six refresh periods with nobody reading: nothing asked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requests).toBe(2);
    // A read of stale counts answers at once with what it has and refreshes in the background.
    expect(await counter.counts()).toEqual({ ingested: 7, dlq: 7 });
    expect(requests).toBe(4);
    // Once that refresh is done, a read of fresh counts asks nothing.
    await counter.refresh(); // joins the refresh in flight
    await counter.counts();
    expect(requests).toBe(4);
  });
});
