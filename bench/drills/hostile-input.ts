/**
 * The `hostile-input` drill: amid the normal load, a client sends what was found to stall a
 * partition or explode the keyspace — pathological texts (ReDoS-shaped, up to 450,000 characters), a
 * record near the body limit, 300-attribute profiles, 1,000 distinct channels and absurd event times.
 * What ingest accepts must be counted exactly once like any other item; what it refuses must be refused
 * with 400; normal traffic must keep being counted while the hostile items are processed; the channel
 * counters and the segment list must stay bounded.
 */
import { DEFAULT_CHANNELS } from '@vocflow/contracts';
import { httpRequest } from '../lib/load-generator.ts';
import type { Pipeline } from '../lib/pipeline.ts';
import { sleep } from '../lib/processes.ts';
import { signedRequest } from '../lib/webhook.ts';

/** A hostile request, what ingest should answer and how many items it adds to the count if accepted. */
interface Hostile {
  readonly label: string;
  readonly path: string;
  readonly body: string;
  /** Standard Webhooks signed (the generic endpoint) or bearer (the API-key endpoints). */
  readonly auth: 'webhook' | 'bearer';
  /** The statuses that are right for it. */
  readonly expect: readonly number[];
  /** Items counted when it is accepted. */
  readonly items: number;
}

const DISTINCT_CHANNELS = 1_000;
/** How long a hostile request is retried after 503/429 or a dropped connection, as a provider would. */
const RETRY_FOR_MS = 60_000;
const WIDE_PROFILES = 20;
const PROFILE_ATTRIBUTES = 300;

/** Texts that are quadratic or worse for a careless regex, each far over the analysis cap. */
export function pathologicalTexts(): { label: string; text: string }[] {
  return [
    { label: '"reach me at @" + 450k letters', text: `reach me at @${'a'.repeat(450_000)}` },
    { label: '300k digits', text: '1'.repeat(300_000) },
    { label: 'repeated "+86 138 0013 "', text: '+86 138 0013 '.repeat(25_000) },
    { label: '"a@a." × 100k', text: 'a@a.'.repeat(100_000) },
    { label: '200k letters, "@", 200k letters', text: `${'x'.repeat(200_000)}@${'y'.repeat(200_000)}` },
    { label: '报 × 100k + email', text: `${'报'.repeat(100_000)}请联系jane@acme.example谢谢` },
  ];
}

export function hostileRequests(runId: string, now: Date): Hostile[] {
  const at = now.toISOString();
  const out: Hostile[] = [];
  for (const [i, { label, text }] of pathologicalTexts().entries())
    out.push({
      label: `pathological interview note: ${label}`,
      path: '/v1/interviews',
      auth: 'bearer',
      body: JSON.stringify({
        id: `${runId}-patho-${i}`,
        customer: { id: `${runId}-patho` },
        interviewer: 'drill',
        date: at,
        title: `pathological ${i}`,
        notes: text,
      }),
      expect: [202],
      items: 1,
    });
  // Near the 1 MiB body limit: 100,000 characters of text and 225 attributes of 4,000.
  const attributes = Object.fromEntries(
    Array.from({ length: 225 }, (_, i) => [`field_${i}`, 'v'.repeat(4_000)]),
  );
  out.push({
    label: 'near-limit record (~0.96 MiB body, the limit is 1 MiB)',
    path: '/v1/webhooks/generic',
    auth: 'webhook',
    body: JSON.stringify({
      id: `${runId}-near-limit`,
      kind: 'survey_response',
      occurredAt: at,
      customer: { id: `${runId}-near-limit` },
      scores: { nps: 5 },
      text: 'The export is slow. '.repeat(5_000),
      attributes,
    }),
    expect: [202],
    items: 1,
  });
  // Profiles far over the attribute cap: refused, naming the field.
  for (let p = 0; p < WIDE_PROFILES; p++)
    out.push({
      label: `${PROFILE_ATTRIBUTES}-attribute profile`,
      path: '/v1/customers',
      auth: 'bearer',
      body: JSON.stringify({
        id: `${runId}-wide-${p}`,
        tier: 'enterprise',
        attributes: Object.fromEntries(
          Array.from({ length: PROFILE_ATTRIBUTES }, (_, i) => [`attr_${i}`, `value ${p}-${i}`]),
        ),
      }),
      expect: [400],
      items: 0,
    });
  // At the cap, with identifying attributes: accepted, but they never become segments.
  out.push({
    label: '100-attribute profiles with emails, phones and ids',
    path: '/v1/customers',
    auth: 'bearer',
    body: JSON.stringify(
      Array.from({ length: WIDE_PROFILES }, (_, p) => ({
        id: `${runId}-capped-${p}`,
        tier: 'growth',
        attributes: {
          email: `person${p}@example.com`,
          phone: `+86 138 0013 ${String(8000 + p)}`,
          account_id: `acct_${1_000_000 + p}`,
          ...Object.fromEntries(Array.from({ length: 97 }, (_, i) => [`attr_${i}`, `value ${p}-${i}`])),
        },
      })),
    ),
    expect: [202],
    items: 0,
  });
  out.push({
    label: 'feedback from the capped profiles',
    path: '/v1/webhooks/generic',
    auth: 'webhook',
    body: JSON.stringify(
      Array.from({ length: WIDE_PROFILES }, (_, p) => ({
        id: `${runId}-capped-fb-${p}`,
        kind: 'survey_response',
        occurredAt: at,
        customer: { id: `${runId}-capped-${p}` },
        scores: { nps: p % 11 },
        text: 'Support was quick.',
      })),
    ),
    expect: [202],
    items: WIDE_PROFILES,
  });
  // 1,000 distinct free-text channels in one array: counted, under `other`.
  out.push({
    label: `${DISTINCT_CHANNELS} distinct channels`,
    path: '/v1/webhooks/generic',
    auth: 'webhook',
    body: JSON.stringify(
      Array.from({ length: DISTINCT_CHANNELS }, (_, i) => ({
        id: `${runId}-channel-${i}`,
        kind: 'survey_response',
        occurredAt: at,
        customer: { id: `${runId}-channels` },
        channel: `drill-channel-${i}`,
        scores: { csat: 1 + (i % 5) },
      })),
    ),
    expect: [202],
    items: DISTINCT_CHANNELS,
  });
  // Absurd event times, from every kind of source: refused.
  for (const occurredAt of ['9999-12-31T00:00:00Z', '0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z'])
    out.push({
      label: `generic item at ${occurredAt}`,
      path: '/v1/webhooks/generic',
      auth: 'webhook',
      body: JSON.stringify({
        id: `${runId}-absurd-${occurredAt}`,
        kind: 'survey_response',
        occurredAt,
        customer: { id: `${runId}-absurd` },
        scores: { nps: 3 },
      }),
      expect: [400],
      items: 0,
    });
  out.push({
    label: 'interview dated 0001-01-01',
    path: '/v1/interviews',
    auth: 'bearer',
    body: JSON.stringify({
      id: `${runId}-absurd-note`,
      customer: { id: `${runId}-absurd` },
      interviewer: 'drill',
      date: '0001-01-01',
      title: 'absurd',
      notes: 'ok',
    }),
    expect: [400],
    items: 0,
  });
  out.push({
    label: 'mention posted in 2999',
    path: '/v1/mentions',
    auth: 'bearer',
    body: JSON.stringify({
      id: `${runId}-absurd-mention`,
      platform: 'weibo',
      url: `https://weibo.com/detail/${runId}`,
      handle: '@drill',
      text: '不错',
      postedAt: '2999-01-01T00:00:00Z',
    }),
    expect: [400],
    items: 0,
  });
  return out;
}

/** Finds the first object under `key` anywhere in a JSON answer. */
function findObject(json: unknown, key: string, depth = 0): Record<string, number> | undefined {
  if (json === null || typeof json !== 'object' || depth > 4) return undefined;
  const record = json as Record<string, unknown>;
  const value = record[key];
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, number>;
  for (const child of Object.values(record)) {
    const found = findObject(child, key, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export interface HostileInputFault {
  inject(pipeline: Pipeline): Promise<number>;
  after(pipeline: Pipeline): Promise<{ ok: boolean; notes: string[] }>;
  /** Items the hostile requests added to the count (those ingest accepted). */
  extraCounted(): number;
}

/**
 * Sends every hostile request once (in parallel with the drill's load), then waits until the count
 * has moved past what it was before them by at least the accepted hostile items plus some normal
 * traffic: the pipeline kept processing while working through them.
 */
export function hostileInput(options: { budgetMs: number }): HostileInputFault {
  let extra = 0;
  const wrong: string[] = [];
  const retried: string[] = [];
  let flowing: string | undefined;
  let flowed = false;
  return {
    async inject(pipeline) {
      const runId = pipeline.namespace.id;
      const before = (await pipeline.overviewCount()) ?? 0;
      const requests = hostileRequests(runId, new Date());
      const started = performance.now();
      await Promise.all(
        requests.map(async (h, i) => {
          const headers =
            h.auth === 'webhook'
              ? { ...signedRequest(pipeline.webhookSecret, `${runId}-hostile-${i}`, h.body).headers }
              : { 'content-type': 'application/json', authorization: `Bearer ${pipeline.apiKey}` };
          // Like a provider: a 503, 429 or a dropped connection is retried (same ids) until a final answer.
          let status: number | string = 'not sent';
          let attempts = 0;
          const giveUp = performance.now() + RETRY_FOR_MS;
          for (;;) {
            attempts += 1;
            try {
              status = (
                await httpRequest(`${pipeline.ingestUrl}${h.path}`, {
                  method: 'POST',
                  headers,
                  body: h.body,
                  timeoutMs: 30_000,
                })
              ).status;
            } catch (error) {
              status = `error ${(error as Error).message}`;
            }
            const transient = typeof status !== 'number' || status === 503 || status === 429;
            if (!transient || performance.now() > giveUp) break;
            await sleep(Math.min(5_000, 500 * 2 ** attempts));
          }
          if (attempts > 1) retried.push(`${h.label} ×${attempts}`);
          if (status === 202) extra += h.items;
          if (typeof status !== 'number' || !h.expect.includes(status))
            wrong.push(`${h.label}: ${status} (expected ${h.expect.join(' or ')})`);
        }),
      );
      // The pipeline keeps counting: the hostile items and normal traffic pass within a few budgets.
      const target = before + extra + 50;
      const deadline = performance.now() + 3 * options.budgetMs + 30_000;
      let count = before;
      while (performance.now() < deadline) {
        count = (await pipeline.overviewCount()) ?? count;
        if (count >= target) break;
        await sleep(250);
      }
      flowed = count >= target;
      flowing = `count ${before} → ${count} in ${Math.round(performance.now() - started)} ms after the hostile requests (${extra} hostile items accepted; needed ${target})`;
      return performance.now();
    },
    async after(pipeline) {
      const notes: string[] = [];
      const overview = await httpRequest(`${pipeline.apiUrl}/v1/overview`, {
        headers: { authorization: `Bearer ${pipeline.apiKey}` },
        timeoutMs: 5_000,
      });
      const channels =
        overview.status === 200 ? (findObject(JSON.parse(overview.body), 'channels') ?? {}) : {};
      const unknownChannels = Object.keys(channels).filter(
        (c) => !(DEFAULT_CHANNELS as readonly string[]).includes(c),
      );
      const segments = await httpRequest(`${pipeline.apiUrl}/v1/segments`, {
        headers: { authorization: `Bearer ${pipeline.apiKey}` },
        timeoutMs: 5_000,
      });
      const ids =
        segments.status === 200
          ? ((JSON.parse(segments.body) as { segments: { segmentId: string }[] }).segments ?? []).map(
              (s) => s.segmentId,
            )
          : [];
      const leaking = ids.filter((id) => /^(attr_|email|phone|account_id|field_|channel:drill)/.test(id));
      notes.push(
        `hostile answers wrong: ${wrong.length === 0 ? 'none' : wrong.join('; ')}`,
        `hostile requests retried after 503/429/errors: ${retried.length === 0 ? 'none' : retried.join('; ')}`,
        flowing ?? 'the pipeline was never sampled',
        `channels counted: ${Object.keys(channels).length} (other: ${channels['other'] ?? 0}; outside the vocabulary: ${unknownChannels.length})`,
        `segments: ${ids.length}; from hostile attributes or channels: ${leaking.length}`,
      );
      const ok =
        wrong.length === 0 &&
        flowed &&
        overview.status === 200 &&
        unknownChannels.length === 0 &&
        (channels['other'] ?? 0) >= DISTINCT_CHANNELS &&
        segments.status === 200 &&
        leaking.length === 0;
      return { ok, notes };
    },
    extraCounted: () => extra,
  };
}
