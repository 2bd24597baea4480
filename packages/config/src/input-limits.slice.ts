import { z } from 'zod';
import { envInt, envList } from './env.ts';

/**
 * What ingest refuses and the enrichment workers send to the DLQ, so both judge a record the same
 * way (set the same values on both): how old an event time may be, and the channel vocabulary.
 */
export const inputLimitsEnv = {
  /** Event times more than this many days before their receipt are refused (400 at ingest). */
  MAX_EVENT_AGE_DAYS: envInt(3_650, { min: 1, max: 36_500 }),
  /**
   * The channels items may name (comma-separated, lowercase letters, digits, `_`); any other channel
   * counts as `other` and is kept in the attribute `channel_original`. Empty: the default vocabulary.
   */
  VOCFLOW_CHANNELS: envList().pipe(
    z
      .array(z.string().regex(/^[a-z0-9_]{1,32}$/, 'lowercase letters, digits or "_", at most 32'))
      .max(100, 'at most 100 channels'),
  ),
};
export interface InputLimitsConfig {
  readonly maxEventAgeDays: number;
  /** The configured channels; empty means the default vocabulary. */
  readonly channels: readonly string[];
}
export const toInputLimitsConfig = (
  env: z.output<z.ZodObject<typeof inputLimitsEnv>>,
): InputLimitsConfig => ({
  maxEventAgeDays: env.MAX_EVENT_AGE_DAYS,
  channels: env.VOCFLOW_CHANNELS,
});
