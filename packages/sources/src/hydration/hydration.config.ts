import { envInt, envOptionalString, envUrl } from '@vocflow/config';
import type { z } from 'zod';

/** Environment slice for the hydrate step (spread into a service's schema, mapped with toHydrationSettings). */
export const hydrationEnv = {
  SURVEYMONKEY_API_BASE_URL: envUrl('https://api.surveymonkey.com'),
  SURVEYMONKEY_ACCESS_TOKEN: envOptionalString(),
  /** Full base URL; when unset it is `https://<QUALTRICS_DATACENTER>.qualtrics.com`. */
  QUALTRICS_API_BASE_URL: envUrl(),
  QUALTRICS_DATACENTER: envOptionalString(),
  QUALTRICS_API_TOKEN: envOptionalString(),
  /** Provider API calls per second, per provider, per instance. */
  HYDRATION_RATE_LIMIT_PER_SECOND: envInt(5, { min: 1, max: 1_000 }),
  /** Attempts per fetch before the step gives the message back to the runner as retryable. */
  HYDRATION_RETRY_ATTEMPTS: envInt(3, { min: 1, max: 20 }),
  HYDRATION_RETRY_INITIAL_MS: envInt(200, { min: 0, max: 60_000 }),
  HYDRATION_TIMEOUT_MS: envInt(10_000, { min: 100, max: 120_000 }),
};

export interface HydrationConfig {
  readonly surveymonkey: { readonly baseUrl: string; readonly accessToken: string | undefined };
  readonly qualtrics: {
    readonly baseUrl: string | undefined;
    readonly apiToken: string | undefined;
    readonly datacenter?: string | undefined;
  };
}

export interface HydrationSettings {
  readonly config: HydrationConfig;
  readonly rateLimit: { readonly perSecond: number };
  readonly retries: {
    readonly attempts: number;
    readonly initialMs: number;
    readonly maxMs?: number;
    readonly timeoutMs?: number;
  };
}

export const toHydrationSettings = (env: z.output<z.ZodObject<typeof hydrationEnv>>): HydrationSettings => ({
  config: {
    surveymonkey: {
      baseUrl: env.SURVEYMONKEY_API_BASE_URL ?? 'https://api.surveymonkey.com',
      accessToken: env.SURVEYMONKEY_ACCESS_TOKEN,
    },
    qualtrics: {
      baseUrl: env.QUALTRICS_API_BASE_URL,
      apiToken: env.QUALTRICS_API_TOKEN,
      datacenter: env.QUALTRICS_DATACENTER,
    },
  },
  rateLimit: { perSecond: env.HYDRATION_RATE_LIMIT_PER_SECOND },
  retries: {
    attempts: env.HYDRATION_RETRY_ATTEMPTS,
    initialMs: env.HYDRATION_RETRY_INITIAL_MS,
    timeoutMs: env.HYDRATION_TIMEOUT_MS,
  },
});
