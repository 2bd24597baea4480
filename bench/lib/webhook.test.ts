import { describe, expect, it } from 'vitest';
import { genericFeedback, signedRequest, signStandardWebhook } from './webhook.ts';

describe('standard webhooks signature', () => {
  it('matches the published test vector', () => {
    expect(
      signStandardWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('keeps the webhook id of the event so retries are recognised', () => {
    const request = signedRequest('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'evt-1', '{}', 1_614_265_330_000);
    expect(request.headers['webhook-id']).toBe('evt-1');
    expect(request.headers['webhook-timestamp']).toBe('1614265330');
  });
});

describe('generic feedback', () => {
  it('is the same item for the same index', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(genericFeedback('r', 7, at)).toEqual(genericFeedback('r', 7, at));
    expect(genericFeedback('r', 7, at)['id']).toBe('r-7');
  });
});
