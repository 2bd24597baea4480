import { formatIssues, RawFeedback } from '@vocflow/contracts';
import { dlq, ok, type StepResult } from '@vocflow/steps';
import type { z } from 'zod';
import { type Mappings, mappingFor } from '../mapping.ts';
import type { HydrationConfig } from './hydration.config.ts';
import { type FetchLike, NotHydratableError, providerGet } from './provider-api.client.ts';
import { hydrateQualtrics, QualtricsResponse } from './qualtrics.hydrator.ts';
import { hydrateSurveyMonkey, SurveyMonkeyResponse, SurveyMonkeySurvey } from './surveymonkey.hydrator.ts';
import { createTokenBucket } from './token-bucket.ts';

export interface HydrateStepDeps {
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  readonly config: HydrationConfig;
  /** Provider API calls per second, per provider (token bucket in this process). */
  readonly rateLimit: { readonly perSecond: number; readonly burst?: number };
  /** Bounded retries inside the step before it throws RetryableError('provider') to the runner. */
  readonly retries: {
    readonly attempts: number;
    readonly initialMs: number;
    readonly maxMs?: number;
    readonly timeoutMs?: number;
  };
  /** Which answer is NPS/CSAT/CES/comment per survey (VOCFLOW_MAPPINGS). Defaults to the safe defaults. */
  readonly mappings?: Mappings;
  readonly sleep?: (ms: number) => Promise<void>;
}

const SURVEY_CACHE_SIZE = 200;
const SURVEY_CACHE_MS = 5 * 60_000;

/**
 * SurveyMonkey and Qualtrics send ids only. This step fetches the full response from the provider's
 * API and returns the complete record with `hydration.status = 'done'`. Records without pending
 * hydration pass through unchanged. A provider that is down, rate limiting or refusing the token
 * throws RetryableError('provider') after bounded retries; a response that does not exist (404) or
 * cannot be read goes to the DLQ as `hydration_failed`.
 */
export function createHydrateStep(
  deps: HydrateStepDeps,
): (raw: RawFeedback) => Promise<StepResult<RawFeedback>> {
  const fetchImpl: FetchLike = deps.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const mappings = deps.mappings ?? {};
  const buckets = {
    surveymonkey: createTokenBucket(deps.rateLimit.perSecond, deps.rateLimit.burst),
    qualtrics: createTokenBucket(deps.rateLimit.perSecond, deps.rateLimit.burst),
  };
  const getOptions = (provider: 'surveymonkey' | 'qualtrics') => ({
    fetch: fetchImpl,
    bucket: buckets[provider],
    attempts: deps.retries.attempts,
    initialMs: deps.retries.initialMs,
    maxMs: deps.retries.maxMs ?? 5_000,
    timeoutMs: deps.retries.timeoutMs ?? 10_000,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  const surveys = new Map<string, { at: number; survey: SurveyMonkeySurvey }>();

  const parse = <S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> => {
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const first = formatIssues(parsed.error.issues)[0];
      throw new NotHydratableError(`unexpected ${what}: ${first?.path ?? ''} ${first?.message ?? ''}`.trim());
    }
    return parsed.data;
  };

  const surveyMonkey = async (raw: RawFeedback): Promise<RawFeedback> => {
    const { accessToken, baseUrl } = deps.config.surveymonkey;
    if (!accessToken) throw new NotHydratableError('SURVEYMONKEY_ACCESS_TOKEN is not configured');
    const { surveyId, responseId } = raw.hydration!.ref;
    if (!surveyId || !responseId) throw new NotHydratableError('hydration ref lacks surveyId or responseId');
    const headers = { authorization: `Bearer ${accessToken}` };
    const sid = encodeURIComponent(surveyId);
    const response = parse(
      SurveyMonkeyResponse,
      await providerGet(
        `${baseUrl}/v3/surveys/${sid}/responses/${encodeURIComponent(responseId)}/details`,
        headers,
        getOptions('surveymonkey'),
      ),
      'SurveyMonkey response',
    );
    let cached = surveys.get(surveyId);
    if (!cached || Date.now() - cached.at > SURVEY_CACHE_MS) {
      const survey = parse(
        SurveyMonkeySurvey,
        await providerGet(`${baseUrl}/v3/surveys/${sid}/details`, headers, getOptions('surveymonkey')),
        'SurveyMonkey survey',
      );
      cached = { at: Date.now(), survey };
      if (surveys.size >= SURVEY_CACHE_SIZE) surveys.delete(surveys.keys().next().value!);
      surveys.set(surveyId, cached);
    }
    return hydrateSurveyMonkey(raw, response, cached.survey, mappingFor(mappings, 'surveymonkey', surveyId));
  };

  const qualtrics = async (raw: RawFeedback): Promise<RawFeedback> => {
    const { apiToken, datacenter } = deps.config.qualtrics;
    const baseUrl =
      deps.config.qualtrics.baseUrl ?? (datacenter ? `https://${datacenter}.qualtrics.com` : undefined);
    if (!apiToken || !baseUrl)
      throw new NotHydratableError(
        'QUALTRICS_API_TOKEN and QUALTRICS_API_BASE_URL (or QUALTRICS_DATACENTER) are not configured',
      );
    const { surveyId, responseId } = raw.hydration!.ref;
    if (!surveyId || !responseId) throw new NotHydratableError('hydration ref lacks surveyId or responseId');
    const response = parse(
      QualtricsResponse,
      await providerGet(
        `${baseUrl}/API/v3/surveys/${encodeURIComponent(surveyId)}/responses/${encodeURIComponent(responseId)}`,
        { 'x-api-token': apiToken },
        getOptions('qualtrics'),
      ),
      'Qualtrics response',
    );
    return hydrateQualtrics(raw, response, mappingFor(mappings, 'qualtrics', surveyId));
  };

  return async function hydrateStep(raw: RawFeedback): Promise<StepResult<RawFeedback>> {
    if (!raw.hydration || raw.hydration.status === 'done') return ok(raw);
    try {
      const full = raw.hydration.provider === 'surveymonkey' ? await surveyMonkey(raw) : await qualtrics(raw);
      const checked = RawFeedback.safeParse(full);
      if (!checked.success) {
        return dlq(
          'hydrateStep',
          'hydration_failed',
          'hydrated record breaks the contract',
          formatIssues(checked.error.issues),
        );
      }
      return ok(checked.data);
    } catch (error) {
      if (error instanceof NotHydratableError) return dlq('hydrateStep', 'hydration_failed', error.message);
      // RetryableError('provider') goes back to the runner; anything else is a bug the runner retries then DLQs.
      throw error;
    }
  };
}
