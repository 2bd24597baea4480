import { signStandardWebhooks } from '@vocflow/sources';

/**
 * Standard Webhooks (standardwebhooks.com): headers `webhook-id`, `webhook-timestamp` (seconds) and
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, keyed by the base64 part
 * of the `whsec_…` secret — the same scheme ingest verifies.
 */
export const signWebhook = signStandardWebhooks;

export type DeliveryResult =
  | { readonly ok: true; readonly attempts: number; readonly status: number }
  | { readonly ok: false; readonly attempts: number; readonly detail: string; readonly aborted: boolean };

export interface WebhookSenderSettings {
  readonly url: string;
  readonly secret: string;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface WebhookSender {
  /** Delivers one event, retrying with jittered exponential backoff; never throws. */
  deliver(id: string, body: string, signal: AbortSignal): Promise<DeliveryResult>;
}

/** Statuses that no retry can fix: the payload itself is refused, or the endpoint is gone. */
const PERMANENT = new Set([400, 404, 410, 413, 422]);

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export function createWebhookSender(settings: WebhookSenderSettings): WebhookSender {
  const doFetch = settings.fetch ?? fetch;
  const sleep = settings.sleep ?? abortableSleep;
  return {
    async deliver(id, body, signal) {
      let detail = '';
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) return { ok: false, attempts: attempt - 1, detail: 'aborted', aborted: true };
        const timestamp = Math.floor(Date.now() / 1000);
        let hint: number | undefined;
        try {
          const response = await doFetch(settings.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signWebhook(settings.secret, id, timestamp, body),
              'user-agent': 'vocflow-alerts',
            },
            body,
            signal: AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]),
          });
          await response.body?.cancel().catch(() => undefined);
          if (response.ok) return { ok: true, attempts: attempt, status: response.status };
          detail = `HTTP ${response.status}`;
          if (PERMANENT.has(response.status)) return { ok: false, attempts: attempt, detail, aborted: false };
          hint = retryAfterMs(response.headers.get('retry-after'));
        } catch (error) {
          if (signal.aborted) return { ok: false, attempts: attempt, detail: 'aborted', aborted: true };
          detail =
            (error as Error).name === 'TimeoutError'
              ? `timeout after ${settings.timeoutMs} ms`
              : (error as Error).message;
        }
        if (attempt >= settings.maxAttempts) return { ok: false, attempts: attempt, detail, aborted: false };
        const ceiling = Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (attempt - 1));
        await sleep(
          Math.min(settings.maxBackoffMs, hint ?? ceiling / 2 + (Math.random() * ceiling) / 2),
          signal,
        );
      }
    },
  };
}
