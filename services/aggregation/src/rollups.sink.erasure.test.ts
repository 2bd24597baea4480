import { type BatchContext, type InboundMessage, RetryableError } from '@vocflow/kafka';
import { createLogger } from '@vocflow/observability';
import { type ApplyOutcome, type Contribution, contributionOf } from '@vocflow/rollups';
import { enrichedItem } from '@vocflow/rollups/testing';
import { describe, expect, it } from 'vitest';
import { createRollupsSink } from './rollups.sink.ts';
import type { AggregationOutput } from './types.ts';

const context: BatchContext = {
  topic: 't',
  partition: 0,
  heartbeat: async () => undefined,
  log: createLogger({ service: 'test', level: 'silent' }),
};
const output = (feedbackId: string, customer: string, offset: number) => ({
  message: { offset: String(offset) } as InboundMessage,
  value: {
    kind: 'feedback',
    contribution: contributionOf(
      enrichedItem({
        feedbackId,
        customer: { ref: { id: customer }, key: customer, profile: null },
        texts: [{ field: 'comment', text: 'slow delivery' }],
      }),
    ),
  } as AggregationOutput,
});

function writer() {
  const applied: Contribution[] = [];
  return {
    applied,
    async apply(contributions: readonly Contribution[]): Promise<ApplyOutcome> {
      applied.push(...contributions);
      return { applied: contributions.length, changed: [], commands: 1 };
    },
    release() {},
    async saveProfile() {},
    async deleteProfile() {},
    async saveAlerts() {},
  };
}

describe('rollups sink and erased customers', () => {
  it("counts an erased customer's record anonymously, without their rollup or comment, in one lookup per batch", async () => {
    const w = writer();
    const asked: string[][] = [];
    const sink = createRollupsSink({
      writer: w,
      erasedCustomers: async (keys) => {
        asked.push([...keys]);
        return new Set(keys.filter((k) => k === 'cus_gone'));
      },
    });
    await sink.write(
      [output('f1', 'cus_gone', 0), output('f2', 'cus_kept', 1), output('f3', 'cus_kept', 2)],
      context,
    );
    expect(asked).toEqual([['cus_gone', 'cus_kept']]);
    const [gone, kept] = w.applied;
    expect(gone!.customerKey).toBe('unknown');
    expect(gone!.rollupIds).not.toContain('c:cus_gone');
    expect(gone!.rollupIds).toContain('o');
    expect(gone!.verbatim).toBeUndefined();
    expect(gone!.fields).toEqual(kept!.fields);
    expect(kept!.customerKey).toBe('cus_kept');
    expect(kept!.verbatim).toBeDefined();
    expect(sink.stats.redisCommands).toBe(2);
  });

  it('a failed lookup is retryable: nothing is applied', async () => {
    const w = writer();
    const sink = createRollupsSink({
      writer: w,
      erasedCustomers: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    await expect(sink.write([output('f1', 'cus_1', 0)], context)).rejects.toBeInstanceOf(RetryableError);
    expect(w.applied).toEqual([]);
  });
});
