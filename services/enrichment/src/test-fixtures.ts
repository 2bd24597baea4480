import type { CustomerProfile, RawFeedback, SentimentResult } from '@vocflow/contracts';
import type { InboundMessage } from '@vocflow/kafka';
import type { Analyzer } from './types.ts';

/** Test data shared by the unit and integration tests of enrichment. */
export function rawFeedback(overrides: Partial<RawFeedback> = {}): RawFeedback {
  return {
    schema: 'feedback.raw.v1',
    feedbackId: 'fb-1',
    version: 1,
    kind: 'survey_response',
    source: 'typeform',
    channel: 'survey',
    formId: 'form-1',
    providerResponseId: 'resp-1',
    occurredAt: '2026-11-20T10:00:00Z',
    receivedAt: '2026-11-20T10:00:01Z',
    customer: { email: 'Ops@Acme.example' },
    answers: [
      { questionId: 'q1', type: 'opinion_scale', value: 4, role: 'nps' },
      {
        questionId: 'q2',
        type: 'long_text',
        value: 'Support was slow, call me on +44 20 7946 0958',
        role: 'comment',
      },
    ],
    scores: { nps: 4 },
    texts: [{ field: 'q2', text: 'Support was slow, call me on +44 20 7946 0958' }],
    attributes: {},
    ...overrides,
  };
}

export function profile(overrides: Partial<CustomerProfile> = {}): CustomerProfile {
  return {
    schema: 'customers.v1',
    id: 'cus-acme',
    email: 'ops@acme.example',
    name: 'Acme Ltd',
    tier: 'Enterprise',
    region: 'EMEA',
    handles: ['@AcmeCorp'],
    attributes: { industry_group: 'Manufacturing', beta: true, seats: 250 },
    updatedAt: '2026-11-01T00:00:00Z',
    ...overrides,
  };
}

export function inbound(value: unknown, offset = '0'): InboundMessage {
  return {
    topic: 'feedback.raw.v1',
    partition: 0,
    offset,
    key: null,
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
    timestamp: '0',
  };
}

/** An analyser that scores by keyword: enough to drive the pipeline deterministically. */
export const keywordAnalyzer: Analyzer = {
  analyze(text: string): SentimentResult {
    const t = text.toLowerCase();
    const score = /terrible|awful|slow|broken/.test(t) ? -0.8 : /great|love/.test(t) ? 0.8 : 0;
    return {
      score,
      label: score < 0 ? 'negative' : score > 0 ? 'positive' : 'neutral',
      confidence: 0.9,
      language: 'en',
      supported: true,
      aspects: t.includes('support')
        ? [{ aspect: 'service', score, label: score < 0 ? 'negative' : 'neutral', evidence: ['support'] }]
        : [],
      analyzerVersion: 'keyword-test',
    };
  },
};
