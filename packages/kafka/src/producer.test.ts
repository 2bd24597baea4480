import { createLogger } from '@vocflow/observability';
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createProducer } from './producer.ts';

const logger = createLogger({ service: 'producer-test', level: 'silent' });

/** A kafkajs stand-in that records each produce request (topic → record count). */
function fakeKafka() {
  const requests: Record<string, number>[] = [];
  const producer = {
    events: { CONNECT: 'connect', DISCONNECT: 'disconnect' },
    on: () => undefined,
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: unknown[] }[] }) => {
      requests.push(Object.fromEntries(topicMessages.map((t) => [t.topic, t.messages.length])));
      await new Promise((resolve) => setTimeout(resolve, 5));
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, requests };
}

const record = (key: string) => ({ key, value: `{"id":"${key}"}` });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('producer batching', () => {
  it('sends the records of one event-loop turn in one produce request', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = createProducer(kafka, { logger });
    await producer.connect();
    await Promise.all([
      producer.send('a', [record('1')]),
      producer.send('a', [record('2')]),
      producer.send('b', [record('3')]),
    ]);
    expect(requests).toEqual([{ a: 2, b: 1 }]);
  });

  it('with a linger, lets sends of the next turns join the same request', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = createProducer(kafka, { logger, lingerMs: 30 });
    await producer.connect();
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 3; i++) {
      sends.push(producer.send('a', [record(String(i))]));
      await nextTurn();
    }
    await Promise.all(sends);
    expect(requests).toEqual([{ a: 3 }]);
  });

  it('queues what arrives while a request is in flight and sends it together next', async () => {
    const { kafka, requests } = fakeKafka();
    const producer = createProducer(kafka, { logger });
    await producer.connect();
    const first = producer.send('a', [record('0')]);
    await new Promise((resolve) => setTimeout(resolve, 1)); // the first request is in flight (5 ms)
    const rest = [producer.send('a', [record('1')]), producer.send('a', [record('2')])];
    await nextTurn();
    rest.push(producer.send('a', [record('3')]));
    await Promise.all([first, ...rest]);
    expect(requests).toEqual([{ a: 1 }, { a: 3 }]);
  });

  it('fails a send Kafka does not acknowledge in time with a retryable error, with one timer for all', async () => {
    const { kafka } = fakeKafka();
    const slow = kafka.producer() as unknown as { sendBatch: () => Promise<unknown> };
    slow.sendBatch = () => new Promise(() => undefined);
    const producer = createProducer(kafka, { logger, sendTimeoutMs: 100 });
    await producer.connect();
    await expect(producer.send('a', [record('1')])).rejects.toMatchObject({ dependency: 'kafka' });
  });
});
