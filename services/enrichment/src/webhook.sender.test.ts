import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createWebhookSender, signWebhook } from './webhook.sender.ts';

const SECRET = `whsec_${Buffer.from('0123456789abcdef0123').toString('base64')}`;

function fakeFetch(statuses: number[]) {
  const calls: { headers: Record<string, string>; body: string }[] = [];
  const impl = (async (_url: string, init: RequestInit) => {
    calls.push({ headers: init.headers as Record<string, string>, body: String(init.body) });
    const status = statuses[Math.min(calls.length - 1, statuses.length - 1)]!;
    return new Response(null, { status });
  }) as typeof fetch;
  return { calls, impl };
}

const settings = {
  url: 'http://receiver/hook',
  secret: SECRET,
  maxAttempts: 4,
  timeoutMs: 1_000,
  backoffMs: 10,
  maxBackoffMs: 50,
};
const noSleep = async () => undefined;

describe('webhook sender', () => {
  it('signs the Standard Webhooks way', () => {
    const key = Buffer.from('0123456789abcdef0123');
    const expected = createHmac('sha256', key).update('msg_1.1700000000.{"a":1}').digest('base64');
    expect(signWebhook(SECRET, 'msg_1', 1700000000, '{"a":1}')).toBe(`v1,${expected}`);
  });

  it('sends id, timestamp and signature headers that verify against the body', async () => {
    const { calls, impl } = fakeFetch([204]);
    const sender = createWebhookSender({ ...settings, fetch: impl, sleep: noSleep });
    const result = await sender.deliver('alert-1', '{"x":true}', new AbortController().signal);
    expect(result).toMatchObject({ ok: true, attempts: 1 });
    const h = calls[0]!.headers;
    expect(h['webhook-id']).toBe('alert-1');
    expect(h['webhook-signature']).toBe(
      signWebhook(SECRET, 'alert-1', Number(h['webhook-timestamp']), '{"x":true}'),
    );
  });

  it('retries failures with backoff until the receiver accepts', async () => {
    const { calls, impl } = fakeFetch([500, 503, 200]);
    const waits: number[] = [];
    const sender = createWebhookSender({
      ...settings,
      fetch: impl,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(await sender.deliver('a', '{}', new AbortController().signal)).toMatchObject({
      ok: true,
      attempts: 3,
    });
    expect(calls).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(waits.every((ms) => ms > 0 && ms <= 50)).toBe(true);
  });

  it('gives up after the last attempt, and at once on a status no retry can fix', async () => {
    const failing = fakeFetch([500]);
    const sender = createWebhookSender({ ...settings, fetch: failing.impl, sleep: noSleep });
    expect(await sender.deliver('a', '{}', new AbortController().signal)).toMatchObject({
      ok: false,
      attempts: 4,
      detail: 'HTTP 500',
    });
    const gone = fakeFetch([410]);
    const once = createWebhookSender({ ...settings, fetch: gone.impl, sleep: noSleep });
    expect(await once.deliver('a', '{}', new AbortController().signal)).toMatchObject({
      ok: false,
      attempts: 1,
    });
  });

  it('stops retrying when aborted', async () => {
    const { impl } = fakeFetch([500]);
    const controller = new AbortController();
    const sender = createWebhookSender({
      ...settings,
      fetch: impl,
      sleep: async () => controller.abort(),
    });
    expect(await sender.deliver('a', '{}', controller.signal)).toMatchObject({ ok: false, aborted: true });
  });
});
