import { createHmac } from 'node:crypto';
import { verifyStandardWebhooks } from '@vocflow/sources';
import { describe, expect, it } from 'vitest';
import { createDemoGenerator, createRandom, demoCustomers, npsFor } from './demo-traffic.ts';

const secrets = {
  ingestApiKey: 'ingest-key',
  typeform: 'tf-secret',
  tally: 'tally-secret',
  delighted: 'delighted-key',
  formbricks: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  generic: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};
const now = () => new Date('2026-11-22T12:00:00Z');

describe('demo traffic', () => {
  it('signs every webhook the way its provider does', () => {
    const generator = createDemoGenerator({ secrets, customers: 20, seed: 7, days: 14, now });
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const request = generator.next();
      seen.add(request.kind);
      const h = request.headers;
      if (request.kind === 'typeform') {
        expect(h['typeform-signature']).toBe(
          `sha256=${createHmac('sha256', secrets.typeform).update(request.body).digest('base64')}`,
        );
      } else if (request.kind === 'delighted') {
        expect(h['x-delighted-webhook-signature']).toBe(
          `sha256=${createHmac('sha256', secrets.delighted).update(request.body).digest('hex')}`,
        );
      } else if (request.kind === 'tally') {
        expect(h['tally-signature']).toBe(
          createHmac('sha256', secrets.tally).update(request.body).digest('base64'),
        );
      } else if (request.kind === 'generic' || request.kind === 'formbricks') {
        const check = verifyStandardWebhooks(Buffer.from(request.body), h, [secrets.generic], {
          nowMs: now().getTime(),
        });
        expect(check).toMatchObject({ ok: true });
      } else {
        expect(h['authorization']).toBe('Bearer ingest-key');
      }
    }
    expect([...seen].sort()).toEqual([
      'delighted',
      'formbricks',
      'generic',
      'interview',
      'mention',
      'tally',
      'typeform',
    ]);
  });

  it('only uses sources that have a secret', () => {
    const generator = createDemoGenerator({
      secrets: { ingestApiKey: 'k', generic: secrets.generic },
      customers: 5,
      seed: 1,
      days: 7,
      now,
    });
    const kinds = new Set(Array.from({ length: 100 }, () => generator.next().kind));
    expect([...kinds].sort()).toEqual(['generic', 'interview', 'mention']);
  });

  it('creates profiles in several tiers and regions, sent in batches', () => {
    const generator = createDemoGenerator({ secrets, customers: 150, seed: 3, days: 7, now });
    const requests = generator.profileRequests();
    expect(requests).toHaveLength(2);
    const profiles = requests.flatMap((r) => JSON.parse(r.body) as { tier: string; region: string }[]);
    expect(new Set(profiles.map((p) => p.tier)).size).toBe(3);
    expect(new Set(profiles.map((p) => p.region)).size).toBe(3);
  });

  it('gives enterprise customers in EMEA a better NPS spread than starter customers in APAC', () => {
    const random = createRandom(11);
    const [base] = demoCustomers(1, random);
    const mean = (tier: 'enterprise' | 'starter', region: 'emea' | 'apac') => {
      let sum = 0;
      for (let i = 0; i < 2000; i++) sum += npsFor({ ...base!, tier, region }, random);
      return sum / 2000;
    };
    expect(mean('enterprise', 'emea')).toBeGreaterThan(mean('starter', 'apac') + 1.5);
  });

  it('puts event times within the requested number of past days', () => {
    const generator = createDemoGenerator({
      secrets: { ingestApiKey: 'k', generic: secrets.generic },
      customers: 5,
      seed: 9,
      days: 3,
      now,
    });
    for (let i = 0; i < 50; i++) {
      const request = generator.next();
      if (request.kind !== 'generic') continue;
      const at = new Date(JSON.parse(request.body).occurredAt).getTime();
      expect(at).toBeLessThanOrEqual(now().getTime());
      expect(at).toBeGreaterThanOrEqual(now().getTime() - 3 * 86_400_000);
    }
  });
});
