import type { RawFeedback } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { createApplyInputLimitsStep } from './apply-input-limits.step.ts';

const raw = (overrides: Partial<RawFeedback> = {}): RawFeedback => ({
  schema: 'feedback.raw.v1',
  feedbackId: 'generic:a',
  version: 0,
  kind: 'survey_response',
  source: 'generic',
  channel: 'survey',
  providerResponseId: 'a',
  occurredAt: '2026-11-30T10:00:00.000Z',
  receivedAt: '2026-12-01T10:00:00.000Z',
  customer: { id: 'c1' },
  answers: [],
  scores: {},
  texts: [],
  attributes: {},
  ...overrides,
});

describe('applyInputLimitsStep', () => {
  const step = createApplyInputLimitsStep();

  it('sends an event time outside the window to the DLQ, judged against receipt', () => {
    for (const occurredAt of [
      '9999-12-31T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '2026-12-02T10:00:01.000Z',
    ])
      expect(step({ raw: raw({ occurredAt }) })).toMatchObject({
        kind: 'dlq',
        reason: 'event_time_out_of_range',
        issues: [{ path: 'occurredAt' }],
      });
    expect(step({ raw: raw({ occurredAt: '2017-01-01T00:00:00.000Z' }) }).kind).toBe('ok');
    const strict = createApplyInputLimitsStep({ maxEventAgeDays: 1 });
    expect(strict({ raw: raw({ occurredAt: '2026-11-29T10:00:00.000Z' }) }).kind).toBe('dlq');
  });

  it('counts a channel outside the vocabulary as other and keeps the original', () => {
    const result = step({ raw: raw({ channel: 'channel-0917', attributes: { plan: 'pro' } }) });
    expect(result).toMatchObject({
      kind: 'ok',
      value: { raw: { channel: 'other', attributes: { plan: 'pro', channel_original: 'channel-0917' } } },
    });
    expect(step({ raw: raw({ channel: 'In-App' }) })).toMatchObject({
      value: { raw: { channel: 'in_app' } },
    });
    const custom = createApplyInputLimitsStep({ channels: ['kiosk'] });
    expect(custom({ raw: raw({ channel: 'kiosk' }) })).toMatchObject({
      value: { raw: { channel: 'kiosk' } },
    });
  });
});
