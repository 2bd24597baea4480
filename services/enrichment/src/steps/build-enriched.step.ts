import {
  type Answer,
  type Attributes,
  EnrichedFeedback,
  formatIssues,
  OUTPUTS_CHECKED,
  type ProfileSnapshot,
} from '@vocflow/contracts';
import { dlq, ok, type StepResult } from '@vocflow/kafka';
import { keyedRef } from '../customer-ref.pseudonyms.ts';
import type { RefKeying } from '../customer-table.store.ts';
import type { PiiRedactor } from '../pii.redactor.ts';
import { createRecordProfile } from '../record-profile.ts';
import { isIdentifyingName } from '../segments.rules.ts';
import type { Built, Segmented } from '../types.ts';

/** What a string attribute named like an identifier or contact detail (`email`, `phone`, `name`) becomes. */
export const REDACTED_ATTRIBUTE = '[redacted]';

export interface BuildEnrichedDeps {
  readonly redactor: PiiRedactor;
  readonly now: () => Date;
  /** With PII redaction: the customer reference's email and handle become pseudonyms. None: kept. */
  readonly keying?: RefKeying | undefined;
  /** The bounded profile a record carries (createRecordProfile). Default: the standard fields only. */
  readonly recordProfile?: ((snapshot: ProfileSnapshot) => ProfileSnapshot) | undefined;
}

/** Every string of an answer's value redacted: a text answer and each choice of a list (`choices.other`). */
export function redactAnswer(answer: Answer, redactor: PiiRedactor): Answer {
  const { value } = answer;
  return {
    ...answer,
    ...(answer.title === undefined ? {} : { title: redactor.redact(answer.title) }),
    value:
      typeof value === 'string'
        ? redactor.redact(value)
        : Array.isArray(value)
          ? value.map((v) => redactor.redact(v))
          : value,
  };
}

/**
 * String attributes (hidden fields) redacted: a value under a name like an identifier or contact
 * detail (`email`, `phone`, `user_id`, `name`) becomes `[redacted]` whatever it holds; any other is
 * redacted like free text. Numbers, booleans and nulls are kept.
 */
export function redactAttributes(attributes: Attributes, redactor: PiiRedactor): Attributes {
  if (!redactor.enabled) return attributes;
  const out: Attributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string') out[name] = value;
    else out[name] = isIdentifyingName(name) ? REDACTED_ATTRIBUTE : redactor.redact(value);
  }
  return out;
}

/**
 * Builds the `feedback.enriched.v1` record with no personal data left in clear: every text part,
 * answer (strings, lists, titles) and string attribute PII-redacted; the customer reference's email
 * and handle pseudonymized (`keying`); the profile cut to what downstream reads (`recordProfile`).
 * Revision 0. Checked against the contract (a record that breaks it goes to the DLQ here, named) where
 * `OUTPUTS_CHECKED` (tests, development, `VOCFLOW_CHECK_OUTPUTS=1`); in production the typed builder is
 * trusted and a record that broke a value limit would be refused by aggregation's decode instead.
 */
export function createBuildEnrichedStep({ redactor, now, keying, recordProfile }: BuildEnrichedDeps) {
  const profileOf = recordProfile ?? createRecordProfile({ alertRules: [], redactor });
  return function buildEnrichedStep(item: Segmented): StepResult<Built> {
    const { raw } = item;
    const snapshot = item.customer.snapshot;
    const candidate: EnrichedFeedback = {
      schema: 'feedback.enriched.v1',
      feedbackId: raw.feedbackId,
      version: raw.version,
      revision: 0,
      kind: raw.kind,
      source: raw.source,
      channel: raw.channel,
      ...(raw.formId === undefined ? {} : { formId: raw.formId }),
      providerResponseId: raw.providerResponseId,
      occurredAt: raw.occurredAt,
      receivedAt: raw.receivedAt,
      enrichedAt: now().toISOString(),
      customer: {
        ref: keying ? keyedRef(raw.customer, keying) : raw.customer,
        key: item.customer.key,
        profile: snapshot === null ? null : profileOf(snapshot),
      },
      scores: raw.scores,
      normalized: item.normalized,
      sentiment: item.sentiment,
      texts: raw.texts.map((t) => ({ field: t.field, text: redactor.redact(t.text) })),
      answers: raw.answers.map((a) => redactAnswer(a, redactor)),
      segments: item.segments,
      attributes: redactAttributes(raw.attributes, redactor),
    };
    if (!OUTPUTS_CHECKED) return ok({ ...item, enriched: candidate });
    const checked = EnrichedFeedback.safeParse(candidate);
    if (!checked.success)
      return dlq(
        'buildEnrichedStep',
        'invalid_enriched',
        'the enriched record breaks its contract',
        formatIssues(checked.error.issues),
      );
    return ok({ ...item, enriched: checked.data });
  };
}
