import { createHash, createHmac } from 'node:crypto';
import { signStandardWebhooks } from '@vocflow/sources';

/**
 * Realistic demo traffic for `vocflow demo`: CRM profiles in a few tiers and regions, survey
 * responses from several tools with a believable spread of scores and comments, interview notes and
 * social mentions — each as the exact HTTP request a provider would send, correctly signed. About
 * 30 % of the customers (configurable) write in Chinese: Simplified from mainland China, Traditional
 * from Taiwan and Hong Kong, with mentions on Weibo, 小红书 (Xiaohongshu) and WeChat.
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
  readonly region: 'emea' | 'amer' | 'apac' | 'greater-china';
  readonly industry: string;
  readonly plan: string;
  readonly handle: string;
  /** The language the customer writes in: English, Simplified Chinese or Traditional Chinese. */
  readonly locale: 'en' | 'zh-CN' | 'zh-TW' | 'zh-HK';
}

/** The share of customers (and so of feedback) in Chinese unless told otherwise. */
export const DEFAULT_CHINESE_SHARE = 0.3;

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

/** Chinese names with the romanisation used for their email and handle. */
const CHINESE_NAMES_SIMPLIFIED: readonly (readonly [string, string])[] = [
  ['王芳', 'wang.fang'],
  ['李伟', 'li.wei'],
  ['张敏', 'zhang.min'],
  ['刘洋', 'liu.yang'],
  ['陈静', 'chen.jing'],
  ['杨磊', 'yang.lei'],
  ['赵丽', 'zhao.li'],
  ['黄勇', 'huang.yong'],
  ['周婷', 'zhou.ting'],
  ['吴昊', 'wu.hao'],
  ['徐涛', 'xu.tao'],
  ['孙娜', 'sun.na'],
  ['马超', 'ma.chao'],
  ['朱琳', 'zhu.lin'],
  ['胡斌', 'hu.bin'],
  ['郭佳', 'guo.jia'],
];
const CHINESE_NAMES_TRADITIONAL: readonly (readonly [string, string])[] = [
  ['陳志明', 'chen.chihming'],
  ['林怡君', 'lin.yichun'],
  ['黃美玲', 'wong.meiling'],
  ['張家豪', 'chang.chiahao'],
  ['李淑芬', 'lee.shufen'],
  ['王建宏', 'wang.chienhung'],
  ['吳佩珊', 'ng.puishan'],
  ['劉俊傑', 'lau.chunkit'],
];

/** Comments by NPS class, written in each script (not machine-converted): price, quality, service, delivery, usability, reliability, onboarding. */
const CHINESE_COMMENTS = {
  simplified: {
    promoter: [
      '客服响应很快，一个小时就帮我解决了问题，非常满意。',
      '新版界面简洁好用，同事们很快就上手了。',
      '物流很快，第二天就收到了，包装也很完整。',
      '性价比很高，功能比我们预期的还多。',
      '系统非常稳定，这个季度一次故障都没有。',
      '产品质量很好，做工扎实，用了半年没出过问题。',
      '安装教程写得很清楚，团队一天就完成了部署。',
    ],
    passive: [
      '整体还可以，不过报表功能不够灵活。',
      '功能比较齐全，但是价格有点贵。',
      '客服态度不错，只是回复要等一天左右。',
      '界面需要一点时间适应，用熟了还行。',
      '上周三下的单，周五送到的。',
      '我们主要用它来收集各门店的顾客反馈。',
    ],
    detractor: [
      '连续两个月账单都出错，找客服一周才有回复。',
      '导出报表的时候老是闪退，太影响工作了。',
      '涨价以后太贵了，我们正在考虑换别家。',
      '收到的货有破损，发邮件也没人理。',
      '安装过程很复杂，教程也看不懂，折腾了好几天。',
      '最近系统经常卡顿，高峰期基本用不了。',
      '质量不如以前，用了一个月就坏了。',
    ],
  },
  traditional: {
    promoter: [
      '客服回覆很快，一個小時就幫我解決了問題，非常滿意。',
      '新版介面簡潔好用，同事們很快就上手了。',
      '物流很快，隔天就收到了，包裝也很完整。',
      '性價比很高，功能比預期的還多。',
      '系統非常穩定，這一季完全沒有當機。',
    ],
    passive: [
      '整體還可以，不過報表功能不夠彈性。',
      '功能算齊全，但是價格有點貴。',
      '客服態度不錯，只是回覆要等一天左右。',
      '上週三下的訂單，週五送到。',
    ],
    detractor: [
      '連續兩個月帳單都出錯，客服一週後才回覆。',
      '匯出報表時常常閃退，非常影響工作。',
      '漲價之後太貴了，我們正在考慮換別家。',
      '收到的商品有破損，寄信也沒有人理。',
      '安裝過程很複雜，教學也看不懂。',
      '最近系統經常卡頓，尖峰時段幾乎不能用。',
    ],
  },
} as const;

const CHINESE_INTERVIEW_NOTES = {
  simplified: [
    {
      title: '季度业务回顾',
      notes:
        '客户对系统稳定性和客服响应速度很满意。财务团队希望导出功能更完善。对下个季度的价格调整有些担心。',
    },
    {
      title: '流失风险回访',
      notes: '过去两个月账单多次出错，客服工单处理太慢。他们正在评估一家更便宜的竞争对手。',
    },
    {
      title: '上线回访',
      notes: '部署很顺利，团队很喜欢新的仪表盘。希望支持企业微信登录，并增加几个集成。整体评价很正面。',
    },
    {
      title: '需求调研访谈',
      notes: '每天都在用报表功能。数据量大的时候界面反应很慢。如果搜索更快，愿意多付一些费用。',
    },
  ],
  traditional: [
    {
      title: '季度業務回顧',
      notes: '客戶對系統穩定性很滿意，但覺得資料量大時介面反應很慢。希望匯出功能更完整。',
    },
    {
      title: '導入後回訪',
      notes: '安裝過程比預期順利，教學文件清楚。客服態度很好，不過價格比去年貴了不少。',
    },
  ],
} as const;

const CHINESE_MENTIONS = {
  simplified: [
    '给 @acme 客服点个赞，几分钟就帮我们解决了问题 👍',
    '只有我觉得 @acme 今天特别慢吗？导出又失败了。',
    '上个月换成 @acme，物流跟踪做得很好，推荐。',
    '@acme 新的定价太离谱了，明年不续费了。',
    '@acme 的手机App更新后好用多了，界面清爽。',
    '等 @acme 客服回复等了五天，体验太差。',
    '用了 @acme 三个月，说说真实感受：质量稳定，就是价格偏高。',
  ],
  traditional: [
    '給 @acme 客服按個讚，幾分鐘就解決了我們的問題 👍',
    '@acme 最近一直卡頓，真的很困擾。',
    '@acme 的新版App好用很多，推薦給大家。',
    '@acme 漲價漲太多了，考慮明年換掉。',
  ],
} as const;

/** Where Chinese-speaking customers post, and the URL shape of a post there. */
const CHINESE_PLATFORMS: readonly { platform: string; url: (id: string) => string }[] = [
  { platform: 'weibo', url: (id) => `https://weibo.com/detail/${id}` },
  { platform: 'xiaohongshu', url: (id) => `https://www.xiaohongshu.com/explore/${id}` },
  { platform: 'wechat', url: (id) => `https://mp.weixin.qq.com/s/${id}` },
];

const scriptOf = (customer: DemoCustomer) =>
  customer.locale === 'zh-CN' ? 'simplified' : customer.locale === 'en' ? undefined : 'traditional';

/**
 * `count` customers; about `chineseShare` of them (every customer whose position falls in that share
 * of each ten) are in Greater China: mostly mainland (Simplified), some Taiwan and Hong Kong (Traditional).
 */
export function demoCustomers(
  count: number,
  random: () => number,
  chineseShare: number = DEFAULT_CHINESE_SHARE,
): DemoCustomer[] {
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
    // Spread evenly: customer i is Chinese when the share's running total passes a whole number.
    if (Math.floor(i * chineseShare) > Math.floor((i - 1) * chineseShare)) {
      const locale = random() < 0.7 ? 'zh-CN' : random() < 0.5 ? 'zh-TW' : 'zh-HK';
      const [name, roman] = pick(locale === 'zh-CN' ? CHINESE_NAMES_SIMPLIFIED : CHINESE_NAMES_TRADITIONAL);
      customers.push({
        id,
        email: `${roman}.${i}@example.${locale === 'zh-CN' ? 'cn' : locale === 'zh-TW' ? 'tw' : 'hk'}`,
        name,
        tier,
        region: 'greater-china',
        industry: pick(INDUSTRIES),
        plan: PLANS[tier],
        handle: `@${name}${i}`,
        locale,
      });
      continue;
    }
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
      locale: 'en',
    });
  }
  return customers;
}

/** An NPS answer whose spread depends on tier and region, so segments differ believably. */
export function npsFor(customer: DemoCustomer, random: () => number): number {
  const bias =
    { enterprise: 1.2, growth: 0.4, starter: -0.6 }[customer.tier] +
    { emea: 0.3, amer: 0.2, apac: -0.7, 'greater-china': -0.2 }[customer.region];
  const base = 7.6 + bias + (random() + random() + random() - 1.5) * 3.2;
  return Math.max(0, Math.min(10, Math.round(base)));
}

/** A comment that fits the score, in the customer's language and script. */
function commentFor(nps: number, random: () => number, customer: DemoCustomer): string {
  const script = scriptOf(customer);
  const kind = nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor';
  const pool = script
    ? CHINESE_COMMENTS[script][kind]
    : { promoter: PROMOTER_COMMENTS, passive: PASSIVE_COMMENTS, detractor: DETRACTOR_COMMENTS }[kind];
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
  /** Share of customers (and so of feedback) in Chinese, 0 to 1. Default 0.3. */
  readonly chineseShare?: number;
  readonly now?: () => Date;
}

export function createDemoGenerator(options: DemoGeneratorOptions): DemoGenerator {
  const random = createRandom(options.seed);
  const now = options.now ?? (() => new Date());
  const chineseShare = options.chineseShare ?? DEFAULT_CHINESE_SHARE;
  if (!(chineseShare >= 0 && chineseShare <= 1))
    throw new Error(`chineseShare must be between 0 and 1, got ${chineseShare}`);
  const customers = demoCustomers(options.customers, random, chineseShare);
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
          comment: random() < 0.8 ? commentFor(score, random, c) : null,
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
              text: commentFor(score, random, c),
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
        channel: pick(['in_app', 'email', 'support', 'web', 'chat', 'sms']),
        scores: { csat, ces },
        text: commentFor(nps, random, c),
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
          data: { nps: score, reason: commentFor(score, random, c) },
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
              value: commentFor(score, random, c),
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
      const script = scriptOf(c);
      const note = pick(script ? CHINESE_INTERVIEW_NOTES[script] : INTERVIEW_NOTES);
      const body = JSON.stringify({
        id: uid('interview'),
        customer: { id: c.id },
        interviewer: script
          ? pick(['li.research', 'chen.csm', 'wong.ae'])
          : pick(['maria.csm', 'tom.ae', 'li.research']),
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
      const script = scriptOf(c);
      const where = script
        ? pick(CHINESE_PLATFORMS)
        : {
            platform: pick(['x', 'linkedin', 'reddit']),
            url: (post: string) => `https://social.example/${post}`,
          };
      const body = JSON.stringify({
        id,
        platform: where.platform,
        url: where.url(id),
        author: c.name,
        handle: c.handle,
        text: script ? pick(CHINESE_MENTIONS[script]) : pick(MENTIONS),
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
