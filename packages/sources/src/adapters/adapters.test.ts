import { RawFeedback } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../fixtures.ts';
import type { Mappings } from '../mapping.ts';
import type { AdapterContext } from './adapter.ts';
import { adaptDelighted } from './delighted.adapter.ts';
import { adaptFormbricks } from './formbricks.adapter.ts';
import { adaptCustomers, adaptGeneric, adaptInterviews, adaptMentions } from './own-formats.adapter.ts';
import { adaptQualtrics } from './qualtrics.adapter.ts';
import { adaptSurveyMonkey } from './surveymonkey.adapter.ts';
import { adaptTally } from './tally.adapter.ts';
import { adaptTypeform } from './typeform.adapter.ts';

const receivedAt = '2026-01-15T10:05:00.000Z';
const json = (name: string) => JSON.parse(fixtureBytes(`webhooks/${name}`).toString());
const ctx = (mappings: Mappings = {}): AdapterContext => ({
  receivedAt,
  mappings,
  original: { contentType: 'application/json', body: '{}' },
});

function one(result: ReturnType<typeof adaptTypeform>): RawFeedback {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  expect(result.records).toHaveLength(1);
  return RawFeedback.parse(result.records[0]);
}

describe('typeform adapter', () => {
  it('never takes a 0–10 opinion scale for NPS without a mapping', () => {
    const r = one(adaptTypeform(json('typeform.json'), ctx()));
    expect(r.scores).toEqual({});
    expect(r.feedbackId).toBe('typeform:lT4Z3j:a3a12ec67a1365927098a606107fac15');
    expect(r.customer).toEqual({ id: 'cus_8842', email: 'laura@example.com' });
    expect(r.occurredAt).toBe('2026-01-15T10:04:37.000Z');
    expect(r.receivedAt).toBe(receivedAt);
    expect(r.texts).toEqual([{ field: 'DlXFaesGBpoF', text: expect.stringContaining('Invoices') }]);
  });
  it('takes NPS and the comment from the mapping by ref', () => {
    const r = one(
      adaptTypeform(
        json('typeform.json'),
        ctx({ typeform: { lT4Z3j: { nps: 'nps_score', comment: 'nps_reason' } } }),
      ),
    );
    expect(r.scores).toEqual({ nps: 3 });
    expect(r.answers.find((a) => a.questionId === 'nPsScOrE0001')).toMatchObject({
      role: 'nps',
      type: 'opinion_scale',
      title: expect.stringContaining('recommend'),
    });
    expect(r.answers.find((a) => a.questionId === 'k6TP9oLGgHjl')?.value).toBe('Billing');
    expect(r.attributes).toMatchObject({ account_tier: 'enterprise', region: 'emea' });
  });
  it('names the missing fields of an invalid payload', () => {
    const result = adaptTypeform(
      { event_id: 'x', event_type: 'form_response', form_response: { token: 't' } },
      ctx(),
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['form_response.form_id', 'form_response.submitted_at']),
      );
  });
});

describe('thin payloads', () => {
  it('records the SurveyMonkey envelope as pending hydration', () => {
    const r = one(adaptSurveyMonkey(json('surveymonkey.json'), ctx()));
    expect(r.feedbackId).toBe('surveymonkey:519087654:118245678901');
    expect(r.hydration).toEqual({
      provider: 'surveymonkey',
      status: 'pending',
      ref: { surveyId: '519087654', responseId: '118245678901', collectorId: '412345678' },
    });
  });
  it('records the Qualtrics envelope from the decoded form', () => {
    const form = Object.fromEntries(
      new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString()),
    );
    const r = one(adaptQualtrics(form, ctx()));
    expect(r.feedbackId).toBe('qualtrics:SV_cVn9uBwheR9hz01:R_suq806jn8LGzhx7');
    expect(r.occurredAt).toBe('2026-01-15T10:04:37.000Z');
    expect(r.hydration?.ref).toMatchObject({
      surveyId: 'SV_cVn9uBwheR9hz01',
      responseId: 'R_suq806jn8LGzhx7',
    });
  });
});

describe('formbricks, tally and delighted adapters', () => {
  it('maps Formbricks answers by question id and finds the contact', () => {
    const m: Mappings = {
      formbricks: {
        cm5w9t3c20000qh7z1a2b3c4d: { nps: 'nps_score', csat: 'csat_support', comment: 'nps_reason' },
      },
    };
    const r = one(adaptFormbricks(json('formbricks.json'), ctx(m)));
    expect(r.scores).toEqual({ nps: 3, csat: 2 });
    expect(r.customer).toEqual({ id: 'usr_8842', email: 'laura@example.com' });
    expect(r.feedbackId).toBe('formbricks:cm5w9t3c20000qh7z1a2b3c4d:cm5x2lq1v0007qh7z8m2n4p6r');
  });
  it('orders Formbricks created → updated → finished by version', () => {
    const body = json('formbricks.json');
    const versions = ['responseCreated', 'responseUpdated', 'responseFinished'].map(
      (event) => one(adaptFormbricks({ ...body, event }, ctx())).version,
    );
    expect(versions[0]).toBeLessThan(versions[1]!);
    expect(versions[1]).toBeLessThan(versions[2]!);
  });
  it('reads Tally hidden fields, option labels and a scaled CSAT', () => {
    const m: Mappings = { tally: { mBzNlP: { csat: 'question_3EKz4n', comment: 'question_mR4Wg1' } } };
    const r = one(adaptTally(json('tally.json'), ctx(m)));
    expect(r.customer).toEqual({ id: 'cus_8842', email: 'laura@example.com' });
    expect(r.scores).toEqual({ csat: 2 });
    expect(r.answers.find((a) => a.questionId === 'question_wLd0Ev')?.value).toEqual(['Billing']);
    expect(r.answers.some((a) => a.type === 'HIDDEN_FIELDS')).toBe(false);
  });
  it('takes the Delighted score role from survey_type and the customer from person properties', () => {
    const r = one(adaptDelighted(json('delighted.json'), ctx()));
    expect(r.scores).toEqual({ nps: 3 });
    expect(r.customer).toEqual({ id: 'cus_8842', email: 'charlie_gravis@example.com' });
    expect(r.texts).toEqual([{ field: 'comment', text: 'Billing has been a mess since the migration.' }]);
    const created = one(
      adaptDelighted({ ...json('delighted.json'), event_type: 'survey_response.created' }, ctx()),
    );
    expect(created.feedbackId).toBe(r.feedbackId);
    expect(created.version).toBeLessThan(r.version);
  });
});

describe("vocflow's own formats", () => {
  const item = {
    id: 'ext-1',
    kind: 'survey_response',
    occurredAt: '2026-01-15T10:04:37Z',
    customer: { id: 'cus_1' },
    scores: { nps: 9 },
    text: 'Great',
  };
  it('keeps the generic id as the idempotency key', () => {
    const a = adaptGeneric(item, ctx());
    const b = adaptGeneric([item, { ...item, id: 'ext-2' }], ctx());
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.records[0]!.feedbackId).toBe('generic:ext-1');
      expect(b.records.map((r) => r.feedbackId)).toEqual(['generic:ext-1', 'generic:ext-2']);
    }
  });
  it('names every invalid field of every item', () => {
    const result = adaptGeneric([item, { ...item, scores: { nps: 11 }, kind: 'tweet' }], ctx());
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['[1].kind', '[1].scores.nps']),
      );
  });
  it('turns interviews, mentions and customers into their records', () => {
    const note = adaptInterviews(
      {
        customer: { email: 'A@x.io' },
        interviewer: 'sam',
        date: '2026-01-10',
        title: 'Onboarding',
        notes: 'Slow setup.',
      },
      ctx(),
    );
    expect(note.ok && note.records[0]).toMatchObject({
      kind: 'interview_note',
      source: 'interview',
      customer: { email: 'a@x.io' },
    });
    const again = adaptInterviews(
      {
        customer: { email: 'A@x.io' },
        interviewer: 'sam',
        date: '2026-01-10',
        title: 'Onboarding',
        notes: 'Slow setup.',
      },
      ctx(),
    );
    expect(again.ok && note.ok && again.records[0]!.feedbackId === note.records[0]!.feedbackId).toBe(true);
    const mention = adaptMentions(
      [
        {
          platform: 'X',
          url: 'https://x.com/a/status/1',
          handle: '@acme_fan',
          text: 'love it',
          postedAt: '2026-01-15T10:00:00Z',
        },
      ],
      true,
      ctx(),
    );
    expect(mention.ok && mention.records[0]).toMatchObject({
      kind: 'social_mention',
      source: 'mention',
      customer: { handle: '@acme_fan' },
    });
    const profiles = adaptCustomers([{ id: 'cus_1', tier: 'enterprise' }], ctx());
    expect(profiles.ok && profiles.records[0]).toMatchObject({
      schema: 'customers.v1',
      id: 'cus_1',
      updatedAt: receivedAt,
      handles: [],
    });
  });
});
