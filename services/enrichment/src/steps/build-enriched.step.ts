import { EnrichedFeedback, formatIssues } from '@vocflow/contracts';
import { dlq, ok, type StepResult } from '@vocflow/kafka';
import type { PiiRedactor } from '../pii.redactor.ts';
import type { Built, Segmented } from '../types.ts';

/**
 * Builds the `feedback.enriched.v1` record: free text (text parts and string answers) PII-redacted,
 * revision 0, validated against the contract so nothing malformed is produced.
 */
export function createBuildEnrichedStep({ redactor, now }: { redactor: PiiRedactor; now: () => Date }) {
  return function buildEnrichedStep(item: Segmented): StepResult<Built> {
    const { raw } = item;
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
      customer: { ref: raw.customer, key: item.customer.key, profile: item.customer.snapshot },
      scores: raw.scores,
      normalized: item.normalized,
      sentiment: item.sentiment,
      texts: raw.texts.map((t) => ({ field: t.field, text: redactor.redact(t.text) })),
      answers: raw.answers.map((a) =>
        typeof a.value === 'string' ? { ...a, value: redactor.redact(a.value) } : a,
      ),
      segments: item.segments,
      attributes: raw.attributes,
    };
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
