import type { OutboundMessage, VocflowProducer } from '@vocflow/kafka';
import { RecordsRejectedError, RetryableError } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { emptyCounters, type RollupView } from '@vocflow/rollups';
import { describe, expect, it } from 'vitest';
import { createRollupChangesPublisher } from './rollup-changes.publisher.ts';

const logger = createLogger({ service: 'rollup-changes-test', level: 'silent' });

function setup(fail: () => Error | undefined) {
  const sends: string[][] = [];
  const producer = {
    async send(_topic: string, messages: readonly OutboundMessage[]) {
      sends.push(messages.map((m) => String(m.key)));
      const error = fail();
      if (error) throw error;
    },
  } as unknown as VocflowProducer;
  const reader = {
    async getBuckets(refs: readonly { rollupId: string; bucket: string }[]) {
      return refs.map(
        (ref) =>
          ({
            scope: 'segment',
            id: ref.rollupId.slice(2),
            granularity: 'all',
            counters: emptyCounters(),
          }) as unknown as RollupView,
      );
    },
  };
  const publisher = createRollupChangesPublisher({
    reader,
    producer,
    topic: 'rollups.v1',
    scopes: ['segment'],
    intervalMs: 3_600_000,
    logger,
  });
  return { publisher, sends };
}

describe('rollup changes publisher', () => {
  it('drops a change the broker refuses for good instead of publishing it again and again', async () => {
    const { publisher, sends } = setup(() =>
      sends.length === 1
        ? new RecordsRejectedError([
            { topic: 'rollups.v1', index: 1, reason: 'record_too_large', detail: 'over 1048576 bytes' },
          ])
        : undefined,
    );
    publisher.track([
      { rollupId: 's:a', bucket: 'a' },
      { rollupId: 's:b', bucket: 'a' },
    ]);
    expect(await publisher.publish()).toBe(1);
    expect(await publisher.publish()).toBe(0);
    expect(sends).toEqual([['segment:a', 'segment:b']]);
    await publisher.close();
  });

  it('keeps every change for the next round when Kafka is unavailable', async () => {
    const { publisher, sends } = setup(() =>
      sends.length === 1 ? new RetryableError('kafka', 'no leader') : undefined,
    );
    publisher.track([{ rollupId: 's:a', bucket: 'a' }]);
    expect(await publisher.publish()).toBe(0);
    expect(await publisher.publish()).toBe(1);
    expect(sends).toEqual([['segment:a'], ['segment:a']]);
    await publisher.close();
  });
});
