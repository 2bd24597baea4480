import { EnrichedFeedback, type RawFeedback } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../alerts.rules.ts';
import { createPseudonymKeying, isPseudonym } from '../customer-ref.pseudonyms.ts';
import { CustomerTable } from '../customer-table.store.ts';
import { createPiiRedactor } from '../pii.redactor.ts';
import { createEnrichmentPipeline } from '../pipeline.ts';
import { inbound, keywordAnalyzer, profile, rawFeedback } from '../test-fixtures.ts';

const SALT = 'pepper';
const alertRules: AlertRule[] = [
  {
    id: 'big-account-unhappy',
    severity: 'warning',
    when: {
      all: [
        { attribute: 'nps', lte: 6 },
        { attribute: 'attributes.account_manager', exists: true },
      ],
    },
  },
];

function setup(options: { enabled?: boolean } = {}) {
  const enabled = options.enabled ?? true;
  const keying = createPseudonymKeying(SALT);
  const customers = enabled ? new CustomerTable(keying) : new CustomerTable();
  const pipeline = createEnrichmentPipeline({
    analyzer: keywordAnalyzer,
    customers,
    redactor: createPiiRedactor({ enabled, hashSalt: SALT }),
    ...(enabled ? { keying } : {}),
    segmentRules: [],
    alertRules,
    now: () => new Date('2026-11-22T08:00:00Z'),
  });
  const enrich = async (raw: RawFeedback) => {
    const result = await pipeline(inbound(raw));
    if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
    return result.value.enriched;
  };
  return { customers, enrich, keying };
}

const PHONE = '+44 20 7946 0958';
const EMAIL = 'jane@acme.example';

describe('building the enriched record: no personal data in clear', () => {
  it('redacts every text part, in English and Chinese', async () => {
    const { enrich } = setup();
    const out = await enrich(
      rawFeedback({
        texts: [
          { field: 'notes', text: `call ${PHONE} or mail ${EMAIL}` },
          { field: 'zh', text: '请联系jane@acme.example或者138 0013 8000，身份证11010519491231002X' },
        ],
      }),
    );
    expect(out.texts[0]!.text).toMatch(/^call \[phone:[0-9a-f]{8}\] or mail \[email:[0-9a-f]{8}\]$/);
    expect(out.texts[1]!.text).toMatch(
      /^请联系\[email:[0-9a-f]{8}\]或者\[phone:[0-9a-f]{8}\]，身份证\[idcard\]$/,
    );
  });

  it('redacts a string answer and its question title', async () => {
    const { enrich } = setup();
    const out = await enrich(
      rawFeedback({
        answers: [
          { questionId: 'q1', type: 'short_text', title: `Anything for ${EMAIL}?`, value: `ring ${PHONE}` },
        ],
      }),
    );
    expect(out.answers[0]!.title).toMatch(/^Anything for \[email:[0-9a-f]{8}\]\?$/);
    expect(out.answers[0]!.value).toMatch(/^ring \[phone:[0-9a-f]{8}\]$/);
  });

  it('redacts every choice of a string-array answer (Typeform choices.other)', async () => {
    const { enrich } = setup();
    const out = await enrich(
      rawFeedback({
        answers: [
          {
            questionId: 'q3',
            type: 'multiple_choice',
            value: ['Price', `Other: mail ${EMAIL}`, '手机13800138000'],
          },
          { questionId: 'q4', type: 'number', value: 7 },
        ],
      }),
    );
    expect(out.answers[0]!.value).toEqual([
      'Price',
      expect.stringMatching(/^Other: mail \[email:[0-9a-f]{8}\]$/),
      expect.stringMatching(/^手机\[phone:[0-9a-f]{8}\]$/),
    ]);
    expect(out.answers[1]!.value).toBe(7);
  });

  it('redacts string attributes: contact-named hidden fields whole, others like free text', async () => {
    const { enrich } = setup();
    const out = await enrich(
      rawFeedback({
        attributes: {
          email: 'Jane Doe <jane at acme>',
          phone: '12',
          note: `reach ${PHONE}`,
          plan: 'pro',
          seats: 3,
        },
      }),
    );
    expect(out.attributes).toEqual({
      email: '[redacted]',
      phone: '[redacted]',
      note: expect.stringMatching(/^reach \[phone:[0-9a-f]{8}\]$/),
      plan: 'pro',
      seats: 3,
    });
  });

  it('keeps customer.ref.email and the handle as stable salted pseudonyms that still join the profile', async () => {
    const { customers, enrich, keying } = setup();
    customers.upsert(profile({ id: 'cus-acme', email: 'ops@acme.example', handles: ['@AcmeCorp'] }));
    const byEmail = await enrich(rawFeedback({ customer: { id: 'crm-1', email: 'Ops@Acme.example' } }));
    const again = await enrich(rawFeedback({ feedbackId: 'fb-2', customer: { email: 'ops@acme.example ' } }));
    const byHandle = await enrich(rawFeedback({ customer: { handle: 'acmecorp' } }));
    expect(byEmail.customer.key).toBe('cus-acme');
    expect(byHandle.customer.key).toBe('cus-acme');
    expect(byEmail.customer.ref.id).toBe('crm-1');
    expect(isPseudonym(byEmail.customer.ref.email!)).toBe(true);
    expect(again.customer.ref.email).toBe(byEmail.customer.ref.email);
    expect(byEmail.customer.ref.email).toBe(keying.email('ops@acme.example'));
    expect(createPseudonymKeying('other-salt').email('ops@acme.example')).not.toBe(
      byEmail.customer.ref.email,
    );
    expect(isPseudonym(byHandle.customer.ref.handle!)).toBe(true);
    // A reference already pseudonymized (a parked record's) resolves like the original.
    expect(customers.resolve(byEmail.customer.ref)?.id).toBe('cus-acme');
    expect(customers.resolve({ handle: byHandle.customer.ref.handle! })?.id).toBe('cus-acme');
    // The contract accepts the pseudonymized record.
    expect(EnrichedFeedback.safeParse(byEmail).success).toBe(true);
  });

  it('cuts the profile snapshot to what alerts read and redacts its free text (no name, no other attributes)', async () => {
    const { customers, enrich } = setup();
    customers.upsert(
      profile({
        name: 'Jane Doe',
        attributes: {
          account_manager: `Li Wei ${PHONE}`,
          personal_note: `home ${EMAIL}`,
          seats: 250,
        },
      }),
    );
    const out = await enrich(rawFeedback());
    expect(out.customer.profile).toEqual({
      tier: 'Enterprise',
      region: 'EMEA',
      attributes: { account_manager: expect.stringMatching(/^Li Wei \[phone:[0-9a-f]{8}\]$/) },
    });
  });

  it('leaves no email, phone, handle or ID number of the input anywhere in the record', async () => {
    const { customers, enrich } = setup();
    customers.upsert(
      profile({ email: EMAIL, handles: ['@janedoe'], attributes: { account_manager: EMAIL } }),
    );
    const out = await enrich(
      rawFeedback({
        customer: { email: EMAIL, handle: '@janedoe' },
        texts: [{ field: 'notes', text: `${PHONE} / ${EMAIL} / 11010519491231002X` }],
        answers: [{ questionId: 'q', type: 'choice', value: [EMAIL, PHONE] }],
        attributes: { contact: EMAIL, mobile: '13800138000' },
      }),
    );
    const json = JSON.stringify(out);
    for (const secret of ['jane@', 'acme.example', '7946', 'janedoe', '13800138000', '11010519491231002X'])
      expect(json).not.toContain(secret);
    expect(out.customer.key).toBe('cus-acme');
  });

  it('enriches a hostile note whole: 450,000 letters after an @, then an address', async () => {
    const seen: number[] = [];
    const note = `reach me at @${'a'.repeat(450_000)} or ${EMAIL}`;
    const pipeline = createEnrichmentPipeline({
      analyzer: {
        analyze: (text) => {
          seen.push(text.length);
          return keywordAnalyzer.analyze(text);
        },
      },
      customers: new CustomerTable(),
      redactor: createPiiRedactor({ enabled: true, hashSalt: SALT }),
      segmentRules: [],
      alertRules,
    });
    const result = await pipeline(
      inbound(
        rawFeedback({ kind: 'interview_note', source: 'interview', texts: [{ field: 'notes', text: note }] }),
      ),
    );
    if (result.kind !== 'ok') throw new Error(`expected ok, got ${result.kind}`);
    expect(seen).toEqual([20_000]);
    const text = result.value.enriched.texts[0]!.text;
    expect(text).toHaveLength(note.length - EMAIL.length + '[email:12345678]'.length);
    expect(text).toMatch(/ or \[email:[0-9a-f]{8}\]$/);
  });

  it('keeps everything as it was when redaction is off', async () => {
    const { enrich } = setup({ enabled: false });
    const out = await enrich(
      rawFeedback({
        customer: { email: EMAIL },
        attributes: { email: EMAIL },
        texts: [{ field: 'n', text: PHONE }],
      }),
    );
    expect(out.customer.ref.email).toBe(EMAIL);
    expect(out.attributes).toEqual({ email: EMAIL });
    expect(out.texts[0]!.text).toBe(PHONE);
  });
});
