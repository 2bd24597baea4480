import { AsyncLocalStorage } from 'node:async_hooks';
import type { ContractIssue, DlqStage } from '@vocflow/contracts';

/** What a pipeline step returns: go on with a value, send the message to the DLQ, or drop it. */
export type StepResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | {
      readonly kind: 'dlq';
      readonly reason: string;
      readonly step: string;
      readonly detail?: string;
      readonly issues?: readonly ContractIssue[];
      /** The stage recorded in the DLQ when it is not the consumer's own (a hydrate step inside enrichment). */
      readonly stage?: DlqStage;
    }
  | { readonly kind: 'drop'; readonly reason: string; readonly step: string };

export type DlqResult = Extract<StepResult<never>, { kind: 'dlq' }>;
export type DropResult = Extract<StepResult<never>, { kind: 'drop' }>;

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });

export const dlq = (
  step: string,
  reason: string,
  detail?: string,
  issues?: readonly ContractIssue[],
): DlqResult => ({
  kind: 'dlq',
  step,
  reason,
  ...(detail === undefined ? {} : { detail }),
  ...(issues === undefined ? {} : { issues }),
});

export const drop = (step: string, reason: string): DropResult => ({ kind: 'drop', step, reason });

/** A named step: a function from input to a tagged result. */
export type Step<I, O> = (input: I) => Promise<StepResult<O>> | StepResult<O>;

/**
 * Composes steps left to right. The first non-ok result stops the chain and is returned.
 * Step names come from the functions (`scoreSentimentStep`) and label the latency metric.
 */
export function pipe<A, B>(s1: Step<A, B>): Step<A, B>;
export function pipe<A, B, C>(s1: Step<A, B>, s2: Step<B, C>): Step<A, C>;
export function pipe<A, B, C, D>(s1: Step<A, B>, s2: Step<B, C>, s3: Step<C, D>): Step<A, D>;
export function pipe<A, B, C, D, E>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
): Step<A, E>;
export function pipe<A, B, C, D, E, F>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
): Step<A, F>;
export function pipe<A, B, C, D, E, F, G>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
  s6: Step<F, G>,
): Step<A, G>;
export function pipe<A, B, C, D, E, F, G, H>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
  s6: Step<F, G>,
  s7: Step<G, H>,
): Step<A, H>;
export function pipe<A, B, C, D, E, F, G, H, I>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
  s6: Step<F, G>,
  s7: Step<G, H>,
  s8: Step<H, I>,
): Step<A, I>;
export function pipe<A, B, C, D, E, F, G, H, I, J>(
  s1: Step<A, B>,
  s2: Step<B, C>,
  s3: Step<C, D>,
  s4: Step<D, E>,
  s5: Step<E, F>,
  s6: Step<F, G>,
  s7: Step<G, H>,
  s8: Step<H, I>,
  s9: Step<I, J>,
): Step<A, J>;
export function pipe(...steps: Step<unknown, unknown>[]): Step<unknown, unknown> {
  return async function pipeline(input: unknown) {
    const observer = stepObservers.getStore();
    let current: unknown = input;
    for (const step of steps) {
      const started = observer ? performance.now() : 0;
      const result = await step(current);
      observer?.(step.name || 'anonymous', (performance.now() - started) / 1000, result.kind);
      if (result.kind !== 'ok') return result;
      current = result.value;
    }
    return { kind: 'ok', value: current };
  };
}

export type StepObserver = (step: string, seconds: number, outcome: StepResult<unknown>['kind']) => void;
const stepObservers = new AsyncLocalStorage<StepObserver>();

/**
 * Runs `work` so that every step a `pipe` runs inside it reports its latency to `observer` (a runner
 * passes its own metrics: two runners in one process each see only their own steps).
 */
export function observingSteps<T>(observer: StepObserver | undefined, work: () => Promise<T>): Promise<T> {
  return observer ? stepObservers.run(observer, work) : work();
}
