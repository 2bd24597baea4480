import { z } from 'zod';
import { parseConfig } from './load.ts';
import { kafkaEnv, logEnv, redisEnv, s3Env } from './slices.ts';

/** The variables every service shares (Kafka, Redis, S3, log level). */
export const SharedEnv = z.object({ ...kafkaEnv, ...redisEnv, ...s3Env, ...logEnv });

/**
 * Checks the shared variables, for a tool that hands the environment to services (`vocflow start`):
 * throws one ConfigError listing every problem before anything is started.
 */
export function checkSharedEnv(tool: string, env: Readonly<Record<string, string | undefined>>): void {
  parseConfig(tool, SharedEnv, env);
}
