import { gunzipSync } from 'node:zlib';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { run } from '@vocflow/cli';
import { erasureKeys } from '@vocflow/contracts';
import { createS3Client } from '@vocflow/stack';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_SECRETS,
  type Pipeline,
  standardWebhooksHeaders,
  startPipeline,
  waitUntil,
} from './harness/pipeline.harness.ts';

/**
 * A customer with a profile, survey responses, an interview note and a mention (by handle)
 * is erased through `DELETE /v1/customers/{id}`, with the aggregation worker killed between two steps
 * of the job and restarted. Afterwards nothing in Redis, the archive or the feeds names them, the
 * anonymous counts are unchanged, and a later delivery of their old response does not bring them back.
 */

const ERASE_KEY = 'e2e-erase-key';
const TARGET = {
  id: 'cus_erase_7f3a',
  email: 'erin.targetsson@example.org',
  name: 'Erin Targetsson',
  handle: '@erin_tgt_42',
};
const OTHER = { id: 'cus_keep_5b1c', email: 'kept.customer@example.org', name: 'Kept Customer' };
/** What must not be found anywhere after the erasure, as written and lowercased. */
const NEEDLES = [TARGET.id, TARGET.email, TARGET.name, TARGET.handle, TARGET.handle.slice(1)].flatMap((n) => [
  n,
  n.toLowerCase(),
]);

const json = { 'content-type': 'application/json' };

const genericBody = (id: string, customerId: string, nps: number, text: string) =>
  JSON.stringify({
    id,
    kind: 'survey_response',
    occurredAt: '2026-02-10T10:00:00Z',
    customer: { id: customerId },
    scores: { nps, csat: nps >= 9 ? 5 : 2 },
    text,
  });

interface Totals {
  totals: { counts: { count: number; npsPromoters: number; npsDetractors: number } };
}

function found(text: string): string[] {
  return NEEDLES.filter((needle) => text.includes(needle));
}

async function redisHolding(redis: Redis, namespace: string): Promise<string[]> {
  const hits: string[] = [];
  for (const pattern of [`${namespace}*`, `{${namespace}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let content = '';
        if (type === 'string') content = (await redis.get(key)) ?? '';
        else if (type === 'hash') content = JSON.stringify(await redis.hgetall(key));
        else if (type === 'set') content = JSON.stringify(await redis.smembers(key));
        else if (type === 'zset') content = JSON.stringify(await redis.zrange(key, 0, -1));
        else if (type === 'list') content = JSON.stringify(await redis.lrange(key, 0, -1));
        else if (type === 'stream') content = JSON.stringify(await redis.xrange(key, '-', '+'));
        if (found(key).length > 0 || found(content).length > 0)
          hits.push(`${key}: ${[...found(key), ...found(content)]}`);
      }
    } while (cursor !== '0');
  }
  return hits;
}

async function objectsHolding(p: Pipeline, under: string): Promise<string[]> {
  const s3 = createS3Client(p.stack.s3);
  const hits: string[] = [];
  try {
    for (const key of await p.s3Keys(under)) {
      const out = await s3.send(new GetObjectCommand({ Bucket: p.stack.s3.bucket, Key: key }));
      const bytes = Buffer.from(await out.Body!.transformToByteArray());
      const text = (key.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      if (found(key).length > 0 || found(text).length > 0) hits.push(key);
    }
  } finally {
    s3.destroy();
  }
  return hits;
}

describe('erasing a customer everywhere', () => {
  let p: Pipeline;
  let redis: Redis;

  beforeAll(async () => {
    p = await startPipeline({
      name: 'erasure',
      env: {
        ERASE_API_KEYS: ERASE_KEY,
        PII_HASH_SALT: 'e2e-erasure-salt',
        ARCHIVE_MAX_AGE_MS: '200',
        FEEDS_INTERVAL_MS: '500',
        ERASURE_STEP_DELAY_MS: '5000',
        ERASURE_CLAIM_IDLE_MS: '500',
        ERASURE_BLOCK_MS: '200',
      },
    });
    redis = new Redis(p.stack.redisUrl);
  }, 180_000);

  afterAll(async () => {
    redis?.disconnect();
    await p?.close();
  }, 60_000);

  it('removes them from Redis, the archive and the feeds, keeps the anonymous counts, and survives a crash mid-way', async () => {
    const bearer = { ...json, authorization: `Bearer ${p.apiKey}` };
    const profiles = await p.post(
      '/v1/customers',
      JSON.stringify([
        { ...TARGET, handle: undefined, handles: [TARGET.handle], tier: 'enterprise', region: 'EMEA' },
        { ...OTHER, tier: 'enterprise', region: 'EMEA' },
      ]),
      bearer,
    );
    expect(profiles.status).toBe(202);
    // The profiles are in the table before feedback arrives, so every item is joined to its customer.
    await waitUntil(
      'profiles in the query API',
      async () => (await p.api(`/v1/customers/${OTHER.id}`)).status,
      (s) => s === 200,
      30_000,
    ).catch(() => undefined);

    const responses: [string, string, number, string][] = [
      ['er-1', TARGET.id, 3, 'The invoices are always late and support never answers.'],
      ['er-2', TARGET.id, 9, 'Much better since the last release, thanks!'],
      ['er-3', OTHER.id, 10, 'Great product, friendly support.'],
    ];
    for (const [id, customer, nps, text] of responses) {
      const body = genericBody(id, customer, nps, text);
      const answer = await p.post('/v1/webhooks/generic', body, {
        ...json,
        ...standardWebhooksHeaders(FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC, `msg_${id}`, body),
      });
      expect(answer.status).toBe(202);
    }
    const interview = await p.post(
      '/v1/interviews',
      JSON.stringify({
        id: 'er-int-1',
        customer: { id: TARGET.id },
        interviewer: 'Sam Researcher',
        date: '2026-02-11',
        title: 'Quarterly check-in',
        notes: 'Onboarding was slow; pricing is confusing but the reports are useful.',
      }),
      bearer,
    );
    expect(interview.status).toBe(202);
    const mention = await p.post(
      '/v1/mentions',
      JSON.stringify({
        id: 'er-men-1',
        platform: 'twitter',
        handle: TARGET.handle,
        text: 'Support took three days to answer me, not great.',
        postedAt: '2026-02-12T09:30:00Z',
      }),
      bearer,
    );
    expect(mention.status).toBe(202);

    // Everything counted, the customer visible with their 4 items, and both archive and feeds hold them.
    await waitUntil(
      'all five items counted',
      async () => (await p.api<Totals>('/v1/overview')).body.totals?.counts.count,
      (n) => n === 5,
      90_000,
    );
    await waitUntil(
      'the customer has 4 items',
      async () =>
        (await p.api<{ allTime?: { counts: { count: number } } }>(`/v1/customers/${TARGET.id}`)).body,
      (b) => b.allTime?.counts.count === 4,
      60_000,
    );
    await waitUntil(
      'the archive holds the customer',
      () => objectsHolding(p, 'archive/'),
      (h) => h.length > 0,
      60_000,
    );
    await waitUntil(
      'the feeds hold the customer',
      () => objectsHolding(p, 'feeds/'),
      (h) => h.length > 0,
      60_000,
    );
    const before = (await p.api<Totals>('/v1/overview')).body.totals.counts;
    const segmentsBefore = (await p.api<{ segments: unknown[] }>('/v1/segments')).body.segments;
    expect(segmentsBefore.length).toBeGreaterThan(0);

    // Only an erase key may erase.
    const wrongKey = await fetch(`${p.ingestUrl}/v1/customers/${TARGET.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${p.apiKey}` },
    });
    expect(wrongKey.status).toBe(403);
    const erase = await fetch(`${p.ingestUrl}/v1/customers/${TARGET.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ERASE_KEY}` },
    });
    expect(erase.status).toBe(202);
    const { erasureId } = (await erase.json()) as { erasureId: string };
    expect(erasureId).toMatch(/^[0-9a-f-]{36}$/);

    // Crash between steps: once the Redis step is marked done, kill aggregation before the archive step.
    const keys = erasureKeys(p.namespace);
    await waitUntil(
      'the redis step done',
      () => redis.hget(keys.job(erasureId), 'done:redis'),
      (v) => v !== null,
      60_000,
    );
    await p.kill('aggregation', 'SIGKILL');
    expect(await redis.hget(keys.job(erasureId), 'done:archive')).toBeNull();
    expect((await objectsHolding(p, 'archive/')).length).toBeGreaterThan(0);
    p.env['ERASURE_STEP_DELAY_MS'] = '0';
    await p.start('aggregation');

    const audit = await waitUntil(
      'the erasure in the audit log',
      async () =>
        ((await redis.xrange(keys.audit, '-', '+')) as [string, string[]][]).find(([, f]) =>
          f.includes(erasureId),
        ),
      (entry) => entry !== undefined,
      90_000,
    );
    const fields = audit![1];
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) record[fields[i]!] = fields[i + 1]!;
    expect(record['requestedBy']).toMatch(/^key:[0-9a-f]{12}$/);
    expect(record['customerFound']).toBe('true');
    const removed = JSON.parse(record['removed']!) as {
      redis: { feedbackItems: number; rollupKeys: number };
      archive: { eventsRemoved: number };
    };
    expect(removed.redis.feedbackItems).toBe(4);
    expect(removed.redis.rollupKeys).toBeGreaterThan(0);
    expect(removed.archive.eventsRemoved).toBeGreaterThanOrEqual(4);
    expect(found(JSON.stringify(audit))).toEqual([]);
    expect(await redis.exists(keys.job(erasureId))).toBe(0);

    // 404 for them; the anonymous counts keep their numbers.
    expect((await p.api(`/v1/customers/${TARGET.id}`)).status).toBe(404);
    expect((await p.api(`/v1/customers/${OTHER.id}`)).status).toBe(200);
    expect((await p.api<Totals>('/v1/overview')).body.totals.counts).toEqual(before);
    expect((await p.api<{ segments: unknown[] }>('/v1/segments')).body.segments).toEqual(segmentsBefore);

    // Nothing left that names them: every Redis key of the deployment, every archive and feed object.
    expect(await redisHolding(redis, p.namespace)).toEqual([]);
    await waitUntil(
      'feeds rewritten',
      () => objectsHolding(p, 'feeds/'),
      (h) => h.length === 0,
      30_000,
    );
    expect(await objectsHolding(p, 'archive/')).toEqual([]);

    // Their old response delivered again: counted once as before, archived without naming them.
    const again = genericBody(
      'er-1',
      TARGET.id,
      3,
      'The invoices are always late and support never answers.',
    );
    expect(
      (
        await p.post('/v1/webhooks/generic', again, {
          ...json,
          ...standardWebhooksHeaders(FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC, 'msg_er-1-again', again),
        })
      ).status,
    ).toBe(202);
    const s3 = createS3Client(p.stack.s3);
    try {
      await waitUntil(
        'the redelivery archived',
        async () => {
          let lines = 0;
          for (const key of await p.s3Keys('archive/')) {
            const out = await s3.send(new GetObjectCommand({ Bucket: p.stack.s3.bucket, Key: key }));
            const text = gunzipSync(Buffer.from(await out.Body!.transformToByteArray())).toString('utf8');
            lines += text.split('\n').filter((l) => l.includes('"providerResponseId":"er-1"')).length;
          }
          return lines;
        },
        (n) => n > 0,
        60_000,
      );
    } finally {
      s3.destroy();
    }
    expect((await p.api(`/v1/customers/${TARGET.id}`)).status).toBe(404);
    expect((await p.api<Totals>('/v1/overview')).body.totals.counts).toEqual(before);
    expect(await redisHolding(redis, p.namespace)).toEqual([]);
    expect(await objectsHolding(p, 'archive/')).toEqual([]);
  }, 420_000);

  it('erases by address with vocflow erase --email --wait: the address never travels and the customer is gone', async () => {
    const bearer = { ...json, authorization: `Bearer ${p.apiKey}` };
    const person = {
      id: 'cus_mail_9d2e',
      email: 'mia.mailonly@example.org',
      name: 'Mia Mailonly',
      handle: '@mia_mo_7',
    };
    expect(
      (
        await p.post(
          '/v1/customers',
          JSON.stringify({ ...person, handle: undefined, handles: [person.handle] }),
          bearer,
        )
      ).status,
    ).toBe(202);
    const body = JSON.stringify({
      id: 'mail-1',
      kind: 'survey_response',
      occurredAt: '2026-02-13T10:00:00Z',
      customer: { email: person.email },
      scores: { nps: 6 },
      text: 'Okay but slow.',
    });
    await waitUntil(
      'the profile known',
      async () => (await p.api(`/v1/customers/${person.id}`)).status,
      (s) => s === 200,
      30_000,
    );
    const post = await p.post('/v1/webhooks/generic', body, {
      ...json,
      ...standardWebhooksHeaders(FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC, 'msg_mail_1', body),
    });
    expect(post.status).toBe(202);
    await waitUntil(
      'the response counted for the customer',
      async () =>
        (await p.api<{ allTime?: { counts: { count: number } } }>(`/v1/customers/${person.id}`)).body,
      (b) => b.allTime?.counts.count === 1,
      60_000,
    );
    const before = (await p.api<Totals>('/v1/overview')).body.totals.counts;

    const saved = process.env;
    let code: number;
    let out = '';
    process.env = {
      ...saved,
      ERASE_API_KEYS: ERASE_KEY,
      PII_HASH_SALT: p.env['PII_HASH_SALT']!,
      REDIS_URL: p.stack.redisUrl,
      REDIS_KEY_PREFIX: p.namespace,
    };
    try {
      code = await run(
        ['erase', '--email', person.email, '--ingest-url', p.ingestUrl, '--wait', '--timeout', '120'],
        {
          out: (t) => {
            out += t;
          },
          err: (t) => {
            out += t;
          },
        },
      );
    } finally {
      process.env = saved;
    }
    expect(code, out).toBe(0);

    expect((await p.api(`/v1/customers/${person.id}`)).status).toBe(404);
    expect((await p.api<Totals>('/v1/overview')).body.totals.counts).toEqual(before);
    const needles = [person.id, person.email, person.name, person.handle.slice(1)];
    const scan = async () => {
      const hits: string[] = [];
      for (const pattern of [`${p.namespace}*`, `{${p.namespace}*`]) {
        for (const key of await redis.keys(pattern)) {
          const type = await redis.type(key);
          const content =
            type === 'string'
              ? ((await redis.get(key)) ?? '')
              : type === 'hash'
                ? JSON.stringify(await redis.hgetall(key))
                : type === 'set'
                  ? JSON.stringify(await redis.smembers(key))
                  : type === 'zset'
                    ? JSON.stringify(await redis.zrange(key, 0, -1))
                    : type === 'stream'
                      ? JSON.stringify(await redis.xrange(key, '-', '+'))
                      : '';
          if (needles.some((n) => key.includes(n) || content.includes(n))) hits.push(key);
        }
      }
      return hits;
    };
    expect(await scan()).toEqual([]);
  }, 240_000);
});
