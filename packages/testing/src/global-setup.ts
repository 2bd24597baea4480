/**
 * vitest global setup for the `integration` and `e2e` projects: finds or brings up real Kafka, Redis
 * and S3 and hands their settings to the tests.
 *
 * 1. `KAFKA_BROKERS`, `REDIS_URL` and `S3_ENDPOINT` set (CI after `vocflow stack up`, docker compose,
 *    a developer's own services): use them as they are.
 * 2. Otherwise the local stack (`@vocflow/stack`, reused when already running; left running afterwards
 *    so the next run starts in a second — `vocflow stack down` stops it). Without java, `auto` falls
 *    back to containers through testcontainers when a container engine runs.
 *
 * Tests read the settings with `inject('stack')` (or `stackSettings()` from `@vocflow/testing`);
 * child processes get them as the usual environment variables.
 */
import { type StackSettings, settingsFromEnv, settingsToEnv, stackUp } from '@vocflow/stack';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackSettings;
  }
}

async function resolveSettings(): Promise<StackSettings> {
  const fromEnv = settingsFromEnv(process.env);
  if (fromEnv) return fromEnv;
  const started = Date.now();
  process.stderr.write(
    '[global-setup] KAFKA_BROKERS/REDIS_URL/S3_ENDPOINT not set: bringing up the local stack\n',
  );
  const result = await stackUp({
    runtime: 'auto',
    onProgress: (message) => process.stderr.write(`[global-setup] ${message}\n`),
  });
  process.stderr.write(
    `[global-setup] stack (${result.runtime}) ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
  );
  return result.settings;
}

export default async function setup(project: TestProject): Promise<void> {
  const settings = await resolveSettings();
  Object.assign(process.env, settingsToEnv(settings));
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  project.provide('stack', settings);
}
