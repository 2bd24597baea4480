import type { FeedbackAlert } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { currentAlerts } from './alert-list.ts';

const alert = (feedbackId: string, version: number): FeedbackAlert => ({
  schema: 'feedback.alerts.v1',
  alertId: `${feedbackId}:v${version}:nps-detractor`,
  rule: 'nps-detractor',
  severity: 'warning',
  feedbackId,
  version,
  customerKey: 'c',
  segments: [],
  source: 'generic',
  channel: 'survey',
  occurredAt: '2026-11-20T10:00:00Z',
  createdAt: '2026-11-20T10:00:00Z',
});

describe('currentAlerts', () => {
  it('keeps alerts of the applied version and of versions not applied yet, drops replaced ones', () => {
    const listed = [alert('a', 1), alert('b', 2), alert('c', 5)];
    expect(currentAlerts(listed, [1, 3, undefined]).map((a) => a.alertId)).toEqual([
      'a:v1:nps-detractor',
      'c:v5:nps-detractor',
    ]);
  });
});
