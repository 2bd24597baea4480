/**
 * vitest global setup for the `integration` and `e2e` projects: finds or brings up real Kafka, Redis
 * and S3 and hands their settings to the tests.
 *
 * 1. `KAFKA_BROKERS`, `REDIS_URL` and `S3_ENDPOINT` set (CI after `vocflow stack up`, docker compose,
 *    a developer's own services): use them as they are.
 * 2. Otherwise the local stack (`@vocflow/stack`): what already runs is reused and left running;
 *    what this run had to start is stopped again when the run ends, so no Kafka or S3Proxy of a test
 *    run stays behind on the ports another checkout's `npm start` wants. Without java, `auto` falls
 *    back to containers through testcontainers when a container engine runs.
 *
 * The `e2e` project also needs Chromium for the dashboard test: installed from Debian's package when
 * missing and the run is root with apt; otherwise the run stops at once with the command to run.
 *
 * Tests read the settings with `inject('stack')` (or `stackSettings()` from `@vocflow/testing`);
 * child processes get them as the usual environment variables.
 */
import {
  type StackSettings,
  type StackUpResult,
  settingsFromEnv,
  settingsToEnv,
  stackUp,
  startedBy,
  stopStarted,
} from '@vocflow/stack';
import type { TestProject } from 'vitest/node';
import { ensureChromium, localChromiumHost } from './chromium.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackSettings;
  }
}

const log = (line: string) => process.stderr.write(`[global-setup] ${line}\n`);

async function resolveStack(): Promise<{ settings: StackSettings; started?: StackUpResult }> {
  const fromEnv = settingsFromEnv(process.env);
  if (fromEnv) return { settings: fromEnv };
  const begun = Date.now();
  log('KAFKA_BROKERS/REDIS_URL/S3_ENDPOINT not set: bringing up the local stack');
  const result = await stackUp({ runtime: 'auto', onProgress: log });
  log(`stack (${result.runtime}) ready in ${((Date.now() - begun) / 1000).toFixed(1)}s`);
  return { settings: result.settings, started: result };
}

/** Stops what this run started, if anything (vitest calls it once the project's tests ended). */
export async function stopWhatWeStarted(started: StackUpResult | undefined): Promise<string[]> {
  if (!started) return [];
  const names = startedBy(started);
  if (names.length === 0) return [];
  log(`stopping the local ${names.join(', ')} this run started`);
  await stopStarted(started, { onProgress: log });
  return names;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (project.name === 'e2e') ensureChromium(localChromiumHost(process.env));
  const { settings, started } = await resolveStack();
  // The settings from the environment win over the local stack's (replication in particular).
  Object.assign(process.env, { ...settingsToEnv(settings), ...pick(process.env, REPLICATION) });
  process.env['KAFKAJS_NO_PARTITIONER_WARNING'] ??= '1';
  project.provide('stack', settings);
  return async () => {
    await stopWhatWeStarted(started);
  };
}

const REPLICATION = ['KAFKA_REPLICATION_FACTOR', 'KAFKA_MIN_INSYNC_REPLICAS'];
function pick(env: NodeJS.ProcessEnv, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (env[name] ? [[name, env[name]]] : [])));
}
