import { verifyStandardWebhooks } from '@vocflow/sources';
import { describe, expect, it } from 'vitest';
import { genericFeedback, signedRequest } from './webhook.ts';

describe('standard webhooks signature', () => {
  it('keeps the webhook id of the event so retries are recognised', () => {
    const request = signedRequest('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'evt-1', '{}', 1_614_265_330_000);
    expect(request.headers['webhook-id']).toBe('evt-1');
    expect(request.headers['webhook-timestamp']).toBe('1614265330');
  });

  it('signs requests the way ingest verifies them', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const request = signedRequest(secret, 'evt-2', '{"a":1}', 1_614_265_330_000);
    const verify = (body: string) =>
      verifyStandardWebhooks(Buffer.from(body), request.headers, [secret], { nowMs: 1_614_265_330_000 }).ok;
    expect(verify(request.body)).toBe(true);
    expect(verify('{"a":2}')).toBe(false);
  });
});

describe('generic feedback', () => {
  it('is the same item for the same index', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(genericFeedback('r', 7, at)).toEqual(genericFeedback('r', 7, at));
    expect(genericFeedback('r', 7, at)['id']).toBe('r-7');
  });
});
