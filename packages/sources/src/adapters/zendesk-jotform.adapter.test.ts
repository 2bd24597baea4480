import { RawFeedback } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../fixtures.ts';
import type { Mappings } from '../mapping.ts';
import { signZendesk, verifyUrlToken, verifyZendesk } from '../signature.ts';
import type { Adapted, AdapterContext } from './adapter.ts';
import { adaptJotform } from './jotform.adapter.ts';
import { adaptZendesk } from './zendesk.adapter.ts';

const receivedAt = '2026-01-15T10:05:01.000Z';
const ctx = (mappings: Mappings = {}): AdapterContext => ({ receivedAt, mappings });
const zendeskBody = () => fixtureBytes('webhooks/zendesk-csat.json');
const jotformForm = (): Record<string, string> => {
  const { _note, ...form } = JSON.parse(fixtureBytes('webhooks/jotform.json').toString());
  return form;
};
const JOTFORM_MAPPING: Mappings = {
  jotform: {
    '241234567890123': {
      nps: 'q3_howLikely',
      comment: 'q4_whatIs',
      customer: { id: 'q6_customerId', email: 'q5_email' },
    },
  },
};

function one(result: Adapted<RawFeedback>): RawFeedback {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  expect(result.records).toHaveLength(1);
  return RawFeedback.parse(result.records[0]);
}

describe('Zendesk signature', () => {
  const TIMESTAMP = '2026-01-15T10:05:00Z';
  const SIGNATURE = 'zvGAEs3Lufo6DT57onmuR4kb81PxkM+Ta1gEhkCrAyw=';
  const headers = {
    'x-zendesk-webhook-signature': SIGNATURE,
    'x-zendesk-webhook-signature-timestamp': TIMESTAMP,
  };
  const at = (iso: string) => ({ nowMs: Date.parse(iso), toleranceSeconds: 300 });

  it('verifies the published vector (timestamp + body) of zendesk-csat.json', () => {
    expect(verifyZendesk(zendeskBody(), headers, ['zendesk-test-secret'], at(TIMESTAMP))).toEqual({
      ok: true,
    });
    expect(signZendesk('zendesk-test-secret', TIMESTAMP, zendeskBody())).toBe(SIGNATURE);
  });
  it('tries every secret (rotation) and refuses a wrong one or a changed byte', () => {
    expect(verifyZendesk(zendeskBody(), headers, ['old', 'zendesk-test-secret'], at(TIMESTAMP)).ok).toBe(
      true,
    );
    expect(verifyZendesk(zendeskBody(), headers, ['other-secret'], at(TIMESTAMP))).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    const changed = Buffer.from(zendeskBody());
    changed[20] = changed[20]! ^ 1;
    expect(verifyZendesk(changed, headers, ['zendesk-test-secret'], at(TIMESTAMP)).ok).toBe(false);
  });
  it('refuses body + timestamp (the old documentation order)', () => {
    const reversed = Buffer.concat([zendeskBody(), Buffer.from(TIMESTAMP)]);
    expect(verifyZendesk(reversed, headers, ['zendesk-test-secret'], at(TIMESTAMP)).ok).toBe(false);
  });
  it('accepts a timestamp within five minutes either way and refuses one outside', () => {
    const secret = ['zendesk-test-secret'];
    expect(verifyZendesk(zendeskBody(), headers, secret, at('2026-01-15T10:10:00Z')).ok).toBe(true);
    expect(verifyZendesk(zendeskBody(), headers, secret, at('2026-01-15T10:00:00Z')).ok).toBe(true);
    expect(verifyZendesk(zendeskBody(), headers, secret, at('2026-01-15T10:10:01Z'))).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyZendesk(zendeskBody(), headers, secret, at('2026-01-15T09:59:59Z')).ok).toBe(false);
  });
  it('names a missing header or an unreadable timestamp', () => {
    const secret = ['zendesk-test-secret'];
    expect(
      verifyZendesk(zendeskBody(), { 'x-zendesk-webhook-signature': SIGNATURE }, secret, at(TIMESTAMP)),
    ).toEqual({
      ok: false,
      reason: 'missing',
    });
    expect(
      verifyZendesk(
        zendeskBody(),
        { ...headers, 'x-zendesk-webhook-signature-timestamp': 'soon' },
        secret,
        at(TIMESTAMP),
      ),
    ).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Jotform URL token', () => {
  it('accepts any configured token and refuses others, a prefix, or none', () => {
    const tokens = ['jf_0123456789abcdefghijklmnop', 'jf_rotated_zyxwvutsrqponmlkjih'];
    expect(verifyUrlToken('jf_rotated_zyxwvutsrqponmlkjih', tokens)).toEqual({ ok: true });
    expect(verifyUrlToken('jf_0123456789abcdefghijklmno', tokens)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyUrlToken('guess', tokens).ok).toBe(false);
    expect(verifyUrlToken(undefined, tokens)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyUrlToken('anything', []).ok).toBe(false);
  });
});

describe('zendesk adapter', () => {
  it('maps a Bad rating to CSAT 1 with the comment as text and the requester as the customer', () => {
    const r = one(adaptZendesk(JSON.parse(zendeskBody().toString()), ctx(), '2026-01-15T10:05:00Z'));
    expect(r).toMatchObject({
      feedbackId: 'zendesk:35436',
      source: 'zendesk',
      kind: 'survey_response',
      channel: 'support',
      providerResponseId: '35436',
      occurredAt: '2026-01-15T10:05:00.000Z',
      customer: { id: 'cus_8842', email: 'laura@example.com' },
      scores: { csat: 1 },
      texts: [{ field: 'satisfaction.current_comment', text: 'Took a week to get a reply.' }],
      attributes: { group: 'Billing', organization: 'Laura Corp' },
    });
  });
  it('maps Good (also "Good with comment") to CSAT 5 and keeps no empty comment', () => {
    const body = JSON.parse(zendeskBody().toString());
    body.satisfaction = { current_rating: 'Good with comment', current_comment: '' };
    const r = one(adaptZendesk(body, ctx()));
    expect(r.scores).toEqual({ csat: 5 });
    expect(r.texts).toEqual([]);
    expect(r.occurredAt).toBe(receivedAt);
  });
  it('gives a re-rated ticket the same feedback id and a later version', () => {
    const body = JSON.parse(zendeskBody().toString());
    const first = one(adaptZendesk(body, ctx(), '2026-01-15T10:05:00Z'));
    const again = one(adaptZendesk(body, ctx(), '2026-01-15T10:05:00Z'));
    const later = one(
      adaptZendesk({ ...body, satisfaction: { current_rating: 'Good' } }, ctx(), '2026-01-16T08:00:00Z'),
    );
    expect(again).toEqual(first);
    expect(later.feedbackId).toBe(first.feedbackId);
    expect(later.version).toBeGreaterThan(first.version);
  });
  it('refuses a rating that is neither Good nor Bad, and a body without a ticket id, naming the field', () => {
    const body = JSON.parse(zendeskBody().toString());
    const offered = adaptZendesk({ ...body, satisfaction: { current_rating: 'Offered' } }, ctx());
    expect(offered.ok ? [] : offered.issues.map((i) => i.path)).toEqual(['satisfaction.current_rating']);
    const noId = adaptZendesk({ ...body, ticket: { requester_email: 'a@b.c' } }, ctx());
    expect(noId.ok ? [] : noId.issues.map((i) => i.path)).toContain('ticket.id');
  });
});

describe('jotform adapter', () => {
  it('takes answers from rawRequest through the mapping keyed by formID', () => {
    const r = one(adaptJotform(jotformForm(), ctx(JOTFORM_MAPPING)));
    expect(r).toMatchObject({
      feedbackId: 'jotform:241234567890123:5912345678901234567',
      source: 'jotform',
      formId: '241234567890123',
      providerResponseId: '5912345678901234567',
      occurredAt: '2026-01-15T10:04:37.123Z',
      customer: { id: 'cus_8842', email: 'laura@example.com' },
      scores: { nps: 3 },
      texts: [{ field: 'q4_whatIs', text: 'Invoices were wrong two months in a row.' }],
      attributes: { form_title: 'Customer Feedback' },
    });
    expect(r.answers.map((a) => a.questionId)).toEqual([
      'q3_howLikely',
      'q4_whatIs',
      'q5_email',
      'q6_customerId',
    ]);
  });
  it('guesses no score, text or customer without a mapping', () => {
    const r = one(adaptJotform(jotformForm(), ctx()));
    expect(r.scores).toEqual({});
    expect(r.texts).toEqual([]);
    expect(r.customer).toEqual({});
  });
  it('gives the same submission the same feedback id and version (a redelivery)', () => {
    const a = one(adaptJotform(jotformForm(), ctx(JOTFORM_MAPPING)));
    const b = one(
      adaptJotform(jotformForm(), { ...ctx(JOTFORM_MAPPING), receivedAt: '2026-01-15T11:00:00.000Z' }),
    );
    expect([b.feedbackId, b.version]).toEqual([a.feedbackId, a.version]);
  });
  it('refuses a submission without submissionID or with a rawRequest that is not a JSON object', () => {
    const { submissionID, ...noId } = jotformForm();
    const missing = adaptJotform(noId, ctx());
    expect(missing.ok ? [] : missing.issues.map((i) => i.path)).toContain('submissionID');
    for (const rawRequest of ['{not json', '[1,2]']) {
      const bad = adaptJotform({ ...jotformForm(), rawRequest }, ctx());
      expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['rawRequest']);
    }
  });
});
