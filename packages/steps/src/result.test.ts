import { describe, expect, it } from 'vitest';
import { dlq, drop, observingSteps, ok, pipe, type StepResult } from './result.ts';

describe('pipe', () => {
  const double = (n: number): StepResult<number> => ok(n * 2);
  const toText = async (n: number): Promise<StepResult<string>> => ok(`n=${n}`);

  it('runs steps left to right, each receiving the previous value', async () => {
    const pipeline = pipe(double, double, toText);
    expect(await pipeline(3)).toEqual({ kind: 'ok', value: 'n=12' });
  });

  it('stops at the first dlq or drop result and returns it', async () => {
    const calls: string[] = [];
    const reject = function rejectStep(n: number): StepResult<number> {
      calls.push('reject');
      return n > 1 ? dlq('rejectStep', 'too_big', `n=${n}`) : ok(n);
    };
    const after = function afterStep(n: number): StepResult<number> {
      calls.push('after');
      return ok(n);
    };
    expect(await pipe(double, reject, after)(1)).toEqual({
      kind: 'dlq',
      step: 'rejectStep',
      reason: 'too_big',
      detail: 'n=2',
    });
    expect(calls).toEqual(['reject']);
    expect(await pipe(() => drop('dedupe', 'duplicate'), after)(1)).toEqual({
      kind: 'drop',
      step: 'dedupe',
      reason: 'duplicate',
    });
  });
});

describe('observingSteps', () => {
  const first = function firstStep(n: number): StepResult<number> {
    return ok(n + 1);
  };
  const second = async function secondStep(n: number): Promise<StepResult<number>> {
    return n > 10 ? drop('secondStep', 'too_big') : ok(n);
  };
  const pipeline = pipe(first, second);

  it('reports each step to the observer of the run it belongs to, and to no other', async () => {
    const a: string[] = [];
    const b: string[] = [];
    await Promise.all([
      observingSteps(
        (step, _s, outcome) => a.push(`${step}:${outcome}`),
        async () => pipeline(1),
      ),
      observingSteps(
        (step, _s, outcome) => b.push(`${step}:${outcome}`),
        async () => pipeline(20),
      ),
    ]);
    expect(a).toEqual(['firstStep:ok', 'secondStep:ok']);
    expect(b).toEqual(['firstStep:ok', 'secondStep:drop']);
  });
});
