import { type BatchContext, type InboundMessage, RetryableError } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { type ApplyOutcome, type Contribution, contributionOf, type RollupWriter } from '@vocflow/rollups';
import { enrichedItem } from '@vocflow/rollups/testing';
import { describe, expect, it } from 'vitest';
import { createRollupsSink } from './rollups.sink.ts';
import type { AggregationOutput } from './types.ts';

class FakeWriter
  implements Pick<RollupWriter, 'apply' | 'release' | 'saveProfile' | 'deleteProfile' | 'saveAlerts'>
{
  readonly applied: Contribution[][] = [];
  released = 0;
  down = false;
  async apply(contributions: readonly Contribution[]): Promise<ApplyOutcome> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    this.applied.push([...contributions]);
    return { applied: contributions.length, changed: [{ rollupId: 'o', bucket: 'a' }], commands: 2 };
  }
  release() {
    this.released += 1;
  }
  async saveProfile() {}
  async deleteProfile() {}
  async saveAlerts() {}
}

const context: BatchContext = {
  topic: 't',
  partition: 0,
  heartbeat: async () => undefined,
  log: createLogger({ service: 'test', level: 'silent' }),
};
const outputs = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    message: { offset: String(i) } as InboundMessage,
    value: {
      kind: 'feedback',
      contribution: contributionOf(enrichedItem({ feedbackId: `f-${i}` })),
    } as AggregationOutput,
  }));

describe('rollups sink', () => {
  it('applies a whole batch in one writer call and counts its Redis commands per event', async () => {
    const writer = new FakeWriter();
    const changed: unknown[] = [];
    const sink = createRollupsSink({ writer, onChanged: (c) => changed.push(...c) });
    await sink.write(outputs(50), context);
    expect(writer.applied).toHaveLength(1);
    expect(writer.applied[0]).toHaveLength(50);
    expect(sink.stats).toEqual({ events: 50, redisCommands: 2 });
    expect(changed).toEqual([{ rollupId: 'o', bucket: 'a' }]);
  });

  it('turns a Redis failure into a retryable error so the runner pauses and re-reads', async () => {
    const writer = new FakeWriter();
    writer.down = true;
    const sink = createRollupsSink({ writer });
    const error = await sink.write(outputs(3), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as RetryableError).dependency).toBe('redis');
  });

  it('writes the batches of one turn together, and fails each of them when that write fails', async () => {
    const writer = new FakeWriter();
    const lookups: string[][] = [];
    const sink = createRollupsSink({
      writer,
      erasedCustomers: async (keys) => {
        lookups.push([...keys]);
        return new Set();
      },
    });
    const second = outputs(4).map((o, i) => ({
      ...o,
      value: {
        kind: 'feedback',
        contribution: contributionOf(
          enrichedItem({ feedbackId: `g-${i}`, customer: { ref: { id: 'c-2' }, key: 'c-2', profile: null } }),
        ),
      } as AggregationOutput,
    }));
    await Promise.all([sink.write(outputs(3), context), sink.write(second, { ...context, partition: 1 })]);
    expect(writer.applied.map((call) => call.map((c) => c.feedbackId))).toEqual([
      ['f-0', 'f-1', 'f-2', 'g-0', 'g-1', 'g-2', 'g-3'],
    ]);
    expect(lookups).toHaveLength(1);
    // A batch of a later turn is a write of its own.
    await sink.write(outputs(1), context);
    expect(writer.applied).toHaveLength(2);

    writer.down = true;
    const failed = await Promise.all([
      sink.write(outputs(2), context).catch((e: unknown) => e),
      sink.write(second, { ...context, partition: 1 }).catch((e: unknown) => e),
    ]);
    for (const error of failed) expect(error).toBeInstanceOf(RetryableError);
  });

  it('forgets the shards it held when a partition is revoked (another instance may own them next)', () => {
    const writer = new FakeWriter();
    const sink = createRollupsSink({ writer });
    sink.revoke?.('t', 3);
    expect(writer.released).toBe(1);
  });
});
