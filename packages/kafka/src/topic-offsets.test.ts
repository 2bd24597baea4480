import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { fetchTopicOffsetsSettled } from './topic-offsets.ts';

const OFFSETS = [{ partition: 0, offset: '5', high: '5', low: '0' }];

function adminAnswering(answers: readonly (Error | 'ok')[]): { admin: Admin; calls: () => number } {
  let calls = 0;
  const admin = {
    fetchTopicOffsets: async () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls++;
      if (answer instanceof Error) throw answer;
      return OFFSETS;
    },
  } as unknown as Admin;
  return { admin, calls: () => calls };
}

const notLeader = () =>
  Object.assign(new Error('This server is not the leader for that topic-partition'), { retriable: true });

describe('fetchTopicOffsetsSettled', () => {
  it('waits out "not the leader" answers right after a topic is created', async () => {
    const { admin, calls } = adminAnswering([notLeader(), notLeader(), 'ok']);
    await expect(fetchTopicOffsetsSettled(admin, 't', { pauseMs: 1 })).resolves.toEqual(OFFSETS);
    expect(calls()).toBe(3);
  });

  it('throws a non-retriable error at once', async () => {
    const { admin, calls } = adminAnswering([new Error('topic authorization failed')]);
    await expect(fetchTopicOffsetsSettled(admin, 't', { pauseMs: 1 })).rejects.toThrow(/authorization/);
    expect(calls()).toBe(1);
  });

  it('gives up with the broker error once its bound is reached', async () => {
    const { admin } = adminAnswering([notLeader()]);
    await expect(fetchTopicOffsetsSettled(admin, 't', { pauseMs: 5, timeoutMs: 20 })).rejects.toThrow(
      /not the leader/,
    );
  });
});
