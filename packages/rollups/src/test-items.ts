import type { EnrichedFeedback } from '@vocflow/contracts';

/** A valid enriched item for tests; override what the test is about. */
export function enrichedItem(overrides: Partial<EnrichedFeedback> = {}): EnrichedFeedback {
  return {
    schema: 'feedback.enriched.v1',
    feedbackId: 'fb-1',
    version: 1,
    revision: 0,
    kind: 'survey_response',
    source: 'typeform',
    channel: 'survey',
    providerResponseId: 'resp-1',
    occurredAt: '2026-11-20T10:15:00Z',
    receivedAt: '2026-11-20T10:15:01Z',
    enrichedAt: '2026-11-20T10:15:02Z',
    customer: { ref: { id: 'cust-1' }, key: 'cust-1', profile: null },
    scores: { nps: 9 },
    normalized: { nps: { score: 9, category: 'promoter' } },
    sentiment: null,
    texts: [],
    answers: [],
    segments: ['tier:enterprise'],
    attributes: {},
    ...overrides,
  };
}
