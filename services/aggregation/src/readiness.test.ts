import { runChecks } from '@vocflow/observability';
import { describe, expect, it } from 'vitest';
import { consumerChecks } from './main.ts';

const consumer = (ready: boolean) => ({ isReady: () => ready });

describe('aggregation readiness', () => {
  it('names both consumers and is not ready while the archive consumer has not joined', async () => {
    const result = await runChecks(consumerChecks(consumer(true), consumer(false)));
    expect(result).toEqual({
      ready: false,
      checks: { 'rollups consumer': true, 'archive consumer': false },
    });
  });

  it('is ready when both joined, and checks only the rollups consumer when the archive runs elsewhere', async () => {
    expect((await runChecks(consumerChecks(consumer(true), consumer(true)))).ready).toBe(true);
    expect(await runChecks(consumerChecks(consumer(false), null))).toEqual({
      ready: false,
      checks: { 'rollups consumer': false },
    });
  });
});
