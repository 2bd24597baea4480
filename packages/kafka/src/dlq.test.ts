import { DlqRecord, decode } from '@vocflow/contracts';
import { dlq } from '@vocflow/steps';
import { describe, expect, it } from 'vitest';
import { fromDlqRecord, toDlqMessage } from './dlq.ts';

describe('DLQ records', () => {
  const message = {
    topic: 'feedback.raw.v1',
    partition: 2,
    offset: '17',
    key: Buffer.from('cust-1'),
    value: Buffer.from([0xff, 0xfe, 0x7b]),
    headers: { 'content-type': 'application/json' },
    timestamp: '1700000000000',
  };

  it('keeps the original bytes, headers and origin, and says why', () => {
    const out = toDlqMessage(
      message,
      dlq('parseRawStep', 'invalid_schema', 'bad', [{ path: 'id', message: 'Required' }]),
      {
        stage: 'enrichment',
        service: 'enrichment',
        attempts: 1,
      },
    );
    const decoded = decode(DlqRecord, out.value as Buffer);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(decoded.value).toMatchObject({
      stage: 'enrichment',
      reason: 'invalid_schema',
      step: 'parseRawStep',
      attempts: 1,
      origin: { topic: 'feedback.raw.v1', partition: 2, offset: '17' },
      issues: [{ path: 'id', message: 'Required' }],
    });
    expect(out.headers?.['vocflow-dlq-reason']).toBe('invalid_schema');
  });

  it('replays to the original topic byte for byte', () => {
    const out = toDlqMessage(message, dlq('s', 'r'), { stage: 'ingest', service: 'x', attempts: 3 });
    const decoded = decode(DlqRecord, out.value as Buffer);
    if (!decoded.ok) throw new Error('invalid');
    const replay = fromDlqRecord(decoded.value);
    expect(replay.topic).toBe('feedback.raw.v1');
    expect(Buffer.compare(replay.message.value as Buffer, message.value)).toBe(0);
    expect((replay.message.key as Buffer).toString()).toBe('cust-1');
    expect(replay.message.headers).toMatchObject({
      'content-type': 'application/json',
      'vocflow-replayed-from': 'feedback.raw.v1/2/17',
    });
  });
});
