import type { RawFeedback } from '@vocflow/contracts';
import { dlq, ok, type StepResult } from '@vocflow/kafka';
import type { Parsed } from '../types.ts';

/**
 * Fetches the full response for records ingest stored as ids only (`hydration.status === 'pending'`).
 * Provider failures throw RetryableError('provider'); a response that cannot be had is a DLQ result.
 */
export type Hydrator = (raw: RawFeedback) => Promise<StepResult<RawFeedback>> | StepResult<RawFeedback>;

/**
 * Runs the hydrator for pending records only; every other record passes through untouched. Records
 * that cannot be hydrated go to the DLQ with stage `hydration`.
 */
export function createHydrateStep({ hydrator }: { hydrator: Hydrator | undefined }) {
  return async function hydrateStep(item: Parsed): Promise<StepResult<Parsed>> {
    if (item.raw.hydration?.status !== 'pending') return ok(item);
    if (!hydrator)
      return {
        ...dlq(
          'hydrateStep',
          'hydration_unavailable',
          `no hydrator configured for ${item.raw.hydration.provider}; replay from the DLQ once it is`,
        ),
        stage: 'hydration',
      };
    const result = await hydrator(item.raw);
    if (result.kind === 'dlq') return { ...result, stage: 'hydration' };
    if (result.kind !== 'ok') return result;
    return ok({ raw: result.value });
  };
}
