import { createHmac } from 'node:crypto';
import { DEFAULT_CHANNELS, type RawFeedback } from '@vocflow/contracts';
import { buildIngestApp, loadConfig } from '@vocflow/ingest';
import { createLogger, createRegistry } from '@vocflow/observability';
import { verifyStandardWebhooks } from '@vocflow/sources';
import { describe, expect, it } from 'vitest';
import {
  createDemoGenerator,
  createRandom,
  type DemoRequest,
  demoCustomers,
  npsFor,
} from './demo-traffic.ts';

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
    expect([...new Set(profiles.map((p) => p.region))].sort()).toEqual([
      'amer',
      'apac',
      'emea',
      'greater-china',
    ]);
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

/** The text a customer wrote in a demo request, whatever the provider's format. */
function textOf(request: DemoRequest): string | null {
  const body = JSON.parse(request.body);
  switch (request.kind) {
    case 'delighted':
      return body.event_data.comment;
    case 'typeform':
      return body.form_response.answers[1].text;
    case 'generic':
      return body.text;
    case 'formbricks':
      return body.data.data.reason;
    case 'tally':
      return body.data.fields[0].value;
    case 'interview':
      return body.notes;
    case 'mention':
      return body.text;
    default:
      return null;
  }
}

const HAN = /[\u4e00-\u9fff]/;
/** Characters only Traditional script uses (their Simplified forms differ), and the reverse. */
const TRADITIONAL_ONLY = /[們這後時說對還過當經態備點週幫應體價會員計費單問題終與實錯誤處關]/;
const SIMPLIFIED_ONLY = /[们这时说对还过当经态备点帮应体价会员计费单问题终与实错误处关]/;

describe('Chinese demo traffic', () => {
  const generator = createDemoGenerator({ secrets, customers: 60, seed: 5, days: 14, now });
  const requests = Array.from({ length: 3000 }, () => generator.next());
  const texts = requests.map((r) => ({ request: r, text: textOf(r) })).filter((t) => t.text);

  it('sends about 30 % of the comments, notes and mentions in Chinese', () => {
    const chinese = texts.filter((t) => HAN.test(t.text!));
    const share = chinese.length / texts.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.38);
    for (const kind of ['delighted', 'typeform', 'generic', 'formbricks', 'tally', 'interview', 'mention'])
      expect(
        chinese.some((t) => t.request.kind === kind),
        kind,
      ).toBe(true);
  });

  it('writes Simplified and Traditional Chinese, never mixed in one text', () => {
    const chinese = texts.map((t) => t.text!).filter((t) => HAN.test(t));
    const traditional = chinese.filter((t) => TRADITIONAL_ONLY.test(t));
    const simplified = chinese.filter((t) => !TRADITIONAL_ONLY.test(t));
    expect(traditional.length).toBeGreaterThan(chinese.length * 0.1);
    expect(simplified.length).toBeGreaterThan(chinese.length * 0.5);
    expect(chinese.filter((t) => TRADITIONAL_ONLY.test(t) && SIMPLIFIED_ONLY.test(t))).toEqual([]);
  });

  it('has Chinese customers with Chinese names in Greater China post on Weibo, Xiaohongshu and WeChat', () => {
    const chineseCustomers = generator.customers.filter((c) => c.region === 'greater-china');
    expect(chineseCustomers.length).toBe(18);
    for (const c of chineseCustomers) expect(c.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
    const mentions = requests
      .filter((r) => r.kind === 'mention')
      .map((r) => JSON.parse(r.body) as { platform: string; author: string; text: string });
    const platforms = new Set(mentions.filter((m) => HAN.test(m.text)).map((m) => m.platform));
    expect([...platforms].sort()).toEqual(['wechat', 'weibo', 'xiaohongshu']);
    for (const m of mentions.filter((m) => ['wechat', 'weibo', 'xiaohongshu'].includes(m.platform)))
      expect(m.author).toMatch(HAN);
  });

  it('names only channels of the vocabulary', () => {
    const channels = new Set(
      requests.filter((r) => r.kind === 'generic').map((r) => JSON.parse(r.body).channel as string),
    );
    for (const channel of channels) expect(DEFAULT_CHANNELS).toContain(channel);
  });

  it('sends no Chinese when the share is 0', () => {
    const english = createDemoGenerator({ secrets, customers: 30, seed: 5, days: 14, now, chineseShare: 0 });
    const none = Array.from({ length: 300 }, () => textOf(english.next())).filter((t) => t && HAN.test(t));
    expect(none).toEqual([]);
  });

  it('is accepted by ingest: every request valid, signed and inside the input limits', async () => {
    const published: RawFeedback[] = [];
    const realNow = () => new Date();
    const live = createDemoGenerator({ secrets, customers: 40, seed: 21, days: 14, now: realNow });
    const app = await buildIngestApp({
      config: loadConfig({
        LOG_LEVEL: 'silent',
        INGEST_API_KEYS: secrets.ingestApiKey,
        WEBHOOK_SECRET_TYPEFORM: secrets.typeform,
        WEBHOOK_SECRET_TALLY: secrets.tally,
        WEBHOOK_SECRET_DELIGHTED: secrets.delighted,
        WEBHOOK_SECRET_FORMBRICKS: secrets.formbricks,
        WEBHOOK_SECRET_GENERIC: secrets.generic,
        INGEST_RATE_LIMIT_PER_SOURCE: '0',
      }),
      logger: createLogger({ service: 'ingest', level: 'silent' }),
      registry: createRegistry('demo-test'),
      checks: [],
      publisher: {
        async publishFeedback(records) {
          published.push(...records);
        },
        async publishProfiles() {},
      },
      mappings: { typeform: { demoNPS1: { nps: 'nps_score', comment: 'nps_reason' } } },
    });
    try {
      const statuses: Record<string, number> = {};
      for (const request of [...live.profileRequests(), ...Array.from({ length: 300 }, () => live.next())]) {
        const res = await app.inject({
          method: 'POST',
          url: request.path,
          headers: request.headers,
          payload: request.body,
        });
        const key = `${request.kind} ${res.statusCode}`;
        statuses[key] = (statuses[key] ?? 0) + 1;
      }
      expect(Object.keys(statuses).filter((k) => !k.endsWith(' 202'))).toEqual([]);
      expect(published.some((r) => r.texts.some((t) => HAN.test(t.text)))).toBe(true);
    } finally {
      await app.close();
    }
  });
});
