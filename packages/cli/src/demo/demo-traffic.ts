import { createHash, createHmac } from 'node:crypto';
import { signStandardWebhooks } from '@vocflow/sources';

/**
 * Realistic demo traffic for `vocflow demo`: CRM profiles in a few tiers and regions, survey
 * responses from several tools with a believable spread of scores and comments, interview notes and
 * social mentions — each as the exact HTTP request a provider would send, correctly signed.
 */

export interface DemoSecrets {
  readonly ingestApiKey: string;
  readonly typeform?: string;
  readonly tally?: string;
  readonly delighted?: string;
  readonly formbricks?: string;
  readonly generic?: string;
}

export interface DemoRequest {
  readonly kind:
    | 'customers'
    | 'typeform'
    | 'tally'
    | 'delighted'
    | 'formbricks'
    | 'generic'
    | 'interview'
    | 'mention';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface DemoCustomer {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly tier: 'enterprise' | 'growth' | 'starter';
  readonly region: 'emea' | 'amer' | 'apac';
  readonly industry: string;
  readonly plan: string;
  readonly handle: string;
}

/** A small seeded PRNG (mulberry32) so a demo run can be repeated. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Emre',
  'Fatima',
  'Georg',
  'Hana',
  'Ivan',
  'Jia',
  'Kofi',
  'Lena',
  'Mateo',
  'Nora',
  'Omar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sven',
  'Tariq',
  'Uma',
  'Viktor',
  'Wen',
  'Yara',
  'Zoe',
];
const LAST = [
  'Silva',
  'Novak',
  'Okafor',
  'Schmidt',
  'Tanaka',
  'Haddad',
  'Kowalski',
  'Larsen',
  'Moreau',
  'Patel',
  'Rossi',
  'Svensson',
  'Nguyen',
  'Costa',
  'Fischer',
];
const INDUSTRIES = ['retail', 'fintech', 'healthcare', 'logistics', 'saas', 'education'];
const PLANS: Record<DemoCustomer['tier'], string> = {
  enterprise: 'enterprise-annual',
  growth: 'growth-monthly',
  starter: 'starter-monthly',
};

const PROMOTER_COMMENTS = [
  'Support resolved my issue within an hour, really impressed.',
  'The new dashboard is fast and easy to use. Great work!',
  'Delivery was quick and everything arrived in perfect condition.',
  'Great value for the price, the team clearly listens to feedback.',
  'Onboarding was smooth and the documentation is excellent.',
  'Reliable product, we have had no downtime this quarter.',
  'Love the mobile app, it makes my day so much easier.',
];
const PASSIVE_COMMENTS = [
  'Works fine overall, but the reporting could be more flexible.',
  'Decent product. Pricing is a bit high for what we use.',
  'Support was helpful, though it took a day to get an answer.',
  'Good features, the interface takes some getting used to.',
  'Delivery was okay, one item arrived a few days late.',
];
const DETRACTOR_COMMENTS = [
  'Invoices were wrong two months in a row and support took a week to reply.',
  'The app keeps crashing when I export reports. Very frustrating.',
  'Way too expensive after the price increase, we are considering alternatives.',
  'My order arrived damaged and nobody answered my emails.',
  'Terrible onboarding, the setup was confusing and slow.',
  'Billing has been a mess since the migration.',
  'Search is slow and often returns nothing useful.',
];
const INTERVIEW_NOTES = [
  {
    title: 'Quarterly business review',
    notes:
      'Customer is happy with reliability and support response times. Wants better export options for finance. Concern about the upcoming price change.',
  },
  {
    title: 'Churn-risk call',
    notes:
      'Frustrated with billing errors over the last two months. Support tickets took too long. They are evaluating a competitor that is cheaper.',
  },
  {
    title: 'Onboarding check-in',
    notes:
      'Setup went smoothly, the team loves the dashboard. Asked for SSO and a few more integrations. Overall very positive.',
  },
  {
    title: 'Feature discovery interview',
    notes:
      'Uses reporting daily. Finds the interface slow with large data sets. Would pay more for faster search.',
  },
];
const MENTIONS = [
  'Shoutout to @acme support, fixed our problem in minutes 🙌',
  'Is it just me or has @acme been really slow today? Export broken again.',
  'Switched to @acme last month and the delivery tracking is great.',
  '@acme your new pricing is ridiculous, not renewing.',
  'The @acme mobile app update is really nice, much easier to use.',
  'Waited 5 days for a reply from @acme support. Not good enough.',
];

export function demoCustomers(count: number, random: () => number): DemoCustomer[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const customers: DemoCustomer[] = [];
  for (let i = 1; i <= count; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const r = random();
    const tier = r < 0.2 ? 'enterprise' : r < 0.55 ? 'growth' : 'starter';
    const g = random();
    const region = g < 0.45 ? 'emea' : g < 0.8 ? 'amer' : 'apac';
    const id = `cus_demo_${String(i).padStart(4, '0')}`;
    customers.push({
      id,
      email: `${first}.${last}.${i}@example.com`
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, ''),
      name: `${first} ${last}`,
      tier,
      region,
      industry: pick(INDUSTRIES),
      plan: PLANS[tier],
      handle: `@${first
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')}_${last.toLowerCase()}${i}`,
    });
  }
  return customers;
}

/** An NPS answer whose spread depends on tier and region, so segments differ believably. */
export function npsFor(customer: DemoCustomer, random: () => number): number {
  const bias =
    { enterprise: 1.2, growth: 0.4, starter: -0.6 }[customer.tier] +
    { emea: 0.3, amer: 0.2, apac: -0.7 }[customer.region];
  const base = 7.6 + bias + (random() + random() + random() - 1.5) * 3.2;
  return Math.max(0, Math.min(10, Math.round(base)));
}

function commentFor(nps: number, random: () => number): string {
  const pool = nps >= 9 ? PROMOTER_COMMENTS : nps >= 7 ? PASSIVE_COMMENTS : DETRACTOR_COMMENTS;
  return pool[Math.floor(random() * pool.length)]!;
}

const hmac = (algorithm: string, key: string | Buffer, data: string) =>
  createHmac(algorithm, key).update(data);

export function standardWebhooksHeaders(
  secret: string,
  id: string,
  body: string,
  nowSeconds: number,
): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(nowSeconds),
    'webhook-signature': signStandardWebhooks(secret, id, nowSeconds, body),
  };
}

const json = { 'content-type': 'application/json' };

export interface DemoGenerator {
  readonly customers: readonly DemoCustomer[];
  /** The CRM upserts, in batches the ingest endpoint accepts. */
  profileRequests(): DemoRequest[];
  /** The next feedback request (a random source that has a secret). */
  next(): DemoRequest;
}

export interface DemoGeneratorOptions {
  readonly secrets: DemoSecrets;
  readonly customers: number;
  readonly seed: number;
  /** Feedback happens over this many past days (event time), so trends have a shape. */
  readonly days: number;
  readonly now?: () => Date;
}

export function createDemoGenerator(options: DemoGeneratorOptions): DemoGenerator {
  const random = createRandom(options.seed);
  const now = options.now ?? (() => new Date());
  const customers = demoCustomers(options.customers, random);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  let sequence = 0;
  const uid = (kind: string) => {
    sequence += 1;
    return createHash('sha256').update(`${options.seed}:${kind}:${sequence}`).digest('hex').slice(0, 24);
  };
  const occurred = () => {
    // Most feedback is recent; some goes back `days` days.
    const ageMs = Math.floor(random() ** 2 * options.days * 86_400_000);
    return new Date(now().getTime() - ageMs);
  };
  const s = options.secrets;
  const weighted: [DemoRequest['kind'], number][] = (
    [
      ['delighted', 28, s.delighted],
      ['typeform', 22, s.typeform],
      ['generic', 18, s.generic],
      ['formbricks', 10, s.formbricks],
      ['tally', 8, s.tally],
      ['interview', 5, s.ingestApiKey],
      ['mention', 9, s.ingestApiKey],
    ] as const
  )
    .filter(([, , secret]) => Boolean(secret))
    .map(([kind, weight]) => [kind, weight]);
  const totalWeight = weighted.reduce((sum, [, w]) => sum + w, 0);
  const bearer = { authorization: `Bearer ${s.ingestApiKey}` };

  const build: Record<Exclude<DemoRequest['kind'], 'customers'>, () => DemoRequest> = {
    delighted() {
      const c = pick(customers);
      const score = npsFor(c, random);
      const at = Math.floor(occurred().getTime() / 1000);
      const body = JSON.stringify({
        event_type: 'survey_response.created',
        event_id: uid('delighted-event'),
        event_data: {
          id: uid('delighted'),
          person: { id: c.id.replace(/\D/g, ''), email: c.email, name: c.name, created_at: at - 86_400 },
          survey_type: 'nps',
          score,
          comment: random() < 0.8 ? commentFor(score, random) : null,
          permalink: 'https://app.delighted.com/r/demo',
          created_at: at,
          updated_at: at,
          person_properties: { customer_id: c.id, 'Customer ID': c.id, Plan: c.plan },
          notes: [],
          tags: [],
          additional_answers: [],
        },
      });
      const signature = hmac('sha256', s.delighted!, body).digest('hex');
      return {
        kind: 'delighted',
        path: '/v1/webhooks/delighted',
        headers: { ...json, 'x-delighted-webhook-signature': `sha256=${signature}` },
        body,
      };
    },
    typeform() {
      const c = pick(customers);
      const score = npsFor(c, random);
      const at = occurred();
      const body = JSON.stringify({
        event_id: uid('typeform-event'),
        event_type: 'form_response',
        form_response: {
          form_id: 'demoNPS1',
          token: uid('typeform'),
          landed_at: new Date(at.getTime() - 90_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          submitted_at: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
          hidden: { customer_id: c.id },
          definition: {
            id: 'demoNPS1',
            title: 'Relationship NPS',
            fields: [
              {
                id: 'npsQ',
                title: 'How likely are you to recommend us to a friend or colleague?',
                type: 'nps',
                ref: 'nps_score',
                properties: {},
              },
              {
                id: 'whyQ',
                title: 'What is the main reason for your score?',
                type: 'long_text',
                ref: 'nps_reason',
                properties: {},
              },
            ],
          },
          answers: [
            { type: 'number', number: score, field: { id: 'npsQ', type: 'nps', ref: 'nps_score' } },
            {
              type: 'text',
              text: commentFor(score, random),
              field: { id: 'whyQ', type: 'long_text', ref: 'nps_reason' },
            },
          ],
        },
      });
      const signature = hmac('sha256', s.typeform!, body).digest('base64');
      return {
        kind: 'typeform',
        path: '/v1/webhooks/typeform',
        headers: { ...json, 'typeform-signature': `sha256=${signature}` },
        body,
      };
    },
    generic() {
      const c = pick(customers);
      const nps = npsFor(c, random);
      const csat = Math.max(1, Math.min(5, Math.round(1 + (nps / 10) * 4 + (random() - 0.5))));
      const ces = Math.max(1, Math.min(7, Math.round(7 - (nps / 10) * 5 + (random() - 0.5) * 2)));
      const id = uid('generic');
      const body = JSON.stringify({
        id,
        kind: 'survey_response',
        occurredAt: occurred().toISOString(),
        customer: { id: c.id },
        channel: pick(['in_app', 'email', 'support']),
        scores: { csat, ces },
        text: commentFor(nps, random),
      });
      return {
        kind: 'generic',
        path: '/v1/webhooks/generic',
        headers: {
          ...json,
          ...standardWebhooksHeaders(s.generic!, `msg_${id}`, body, Math.floor(now().getTime() / 1000)),
        },
        body,
      };
    },
    formbricks() {
      const c = pick(customers);
      const score = npsFor(c, random);
      const at = occurred().toISOString();
      const id = uid('formbricks');
      const body = JSON.stringify({
        webhookId: 'demo-webhook',
        event: 'responseFinished',
        data: {
          id,
          createdAt: at,
          updatedAt: at,
          surveyId: 'demo-survey',
          contact: { id: `contact_${c.id}`, userId: c.id },
          contactAttributes: { userId: c.id, email: c.email },
          finished: true,
          data: { nps: score, reason: commentFor(score, random) },
          survey: {
            title: 'In-app NPS',
            questions: [
              { id: 'nps', type: 'nps', headline: { default: 'How likely are you to recommend us?' } },
              { id: 'reason', type: 'openText', headline: { default: 'Why?' } },
            ],
          },
        },
      });
      return {
        kind: 'formbricks',
        path: '/v1/webhooks/formbricks',
        headers: {
          ...json,
          ...standardWebhooksHeaders(
            s.formbricks!,
            uid('formbricks-msg'),
            body,
            Math.floor(now().getTime() / 1000),
          ),
        },
        body,
      };
    },
    tally() {
      const c = pick(customers);
      const score = npsFor(c, random);
      const at = occurred().toISOString();
      const id = uid('tally');
      const body = JSON.stringify({
        eventId: uid('tally-event'),
        eventType: 'FORM_RESPONSE',
        createdAt: at,
        data: {
          responseId: id,
          submissionId: id,
          respondentId: `r_${c.id}`,
          formId: 'demoTally',
          formName: 'Post-support survey',
          createdAt: at,
          fields: [
            {
              key: 'question_comment',
              label: 'Anything we could do better?',
              type: 'TEXTAREA',
              value: commentFor(score, random),
            },
            { key: 'question_hidden_customer_id', label: 'customer_id', type: 'HIDDEN_FIELDS', value: c.id },
          ],
        },
      });
      const signature = hmac('sha256', s.tally!, body).digest('base64');
      return {
        kind: 'tally',
        path: '/v1/webhooks/tally',
        headers: { ...json, 'tally-signature': signature },
        body,
      };
    },
    interview() {
      const c = pick(customers);
      const note = pick(INTERVIEW_NOTES);
      const body = JSON.stringify({
        id: uid('interview'),
        customer: { id: c.id },
        interviewer: pick(['maria.csm', 'tom.ae', 'li.research']),
        date: occurred().toISOString(),
        title: note.title,
        notes: note.notes,
        format: 'text',
        tags: [c.tier, 'demo'],
      });
      return { kind: 'interview', path: '/v1/interviews', headers: { ...json, ...bearer }, body };
    },
    mention() {
      const c = pick(customers);
      const id = uid('mention');
      const body = JSON.stringify({
        id,
        platform: pick(['x', 'linkedin', 'reddit']),
        url: `https://social.example/${id}`,
        author: c.name,
        handle: c.handle,
        text: pick(MENTIONS),
        postedAt: occurred().toISOString(),
      });
      return { kind: 'mention', path: '/v1/mentions', headers: { ...json, ...bearer }, body };
    },
  };

  return {
    customers,
    profileRequests() {
      const requests: DemoRequest[] = [];
      for (let i = 0; i < customers.length; i += 100) {
        const batch = customers.slice(i, i + 100).map((c) => ({
          id: c.id,
          email: c.email,
          name: c.name,
          tier: c.tier,
          region: c.region,
          industry: c.industry,
          plan: c.plan,
          handles: [c.handle],
        }));
        requests.push({
          kind: 'customers',
          path: '/v1/customers',
          headers: { ...json, ...bearer },
          body: JSON.stringify(batch),
        });
      }
      return requests;
    },
    next() {
      if (totalWeight === 0) throw new Error('no source has a secret: nothing to send');
      let roll = random() * totalWeight;
      for (const [kind, weight] of weighted) {
        roll -= weight;
        if (roll < 0) return build[kind as Exclude<DemoRequest['kind'], 'customers'>]();
      }
      return build.generic();
    },
  };
}
