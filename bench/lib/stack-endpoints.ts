/** The stack a run measures against: named by the environment, else the local stack's defaults. */
import { localSettings, settingsFromEnv } from '@vocflow/stack';
import type { StackEndpoints } from './pipeline.ts';

export function stackEndpoints(env: Readonly<Record<string, string | undefined>>): StackEndpoints {
  const settings = settingsFromEnv(env) ?? localSettings();
  return { kafkaBrokers: settings.kafkaBrokers, s3: settings.s3 };
}
