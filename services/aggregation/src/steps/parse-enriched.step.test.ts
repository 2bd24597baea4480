import type { InboundMessage } from '@vocflow/kafka';
import { enrichedItem } from '@vocflow/rollups/testing';
import { describe, expect, it } from 'vitest';
import { createAggregationPipeline, createArchivePipeline } from '../pipeline.ts';
import { createSharedEnrichedDecoder } from './parse-enriched.step.ts';

const TOPIC = 't.feedback.enriched.v1';
const message = (offset: number, value: string | null, partition = 0): InboundMessage => ({
  topic: TOPIC,
  partition,
  offset: String(offset),
  key: null,
  value: value === null ? null : Buffer.from(value),
  headers: {},
  timestamp: '0',
});
const record = (id: string, text = 'great service') =>
  JSON.stringify(enrichedItem({ feedbackId: id, texts: [{ field: 'text', text }] } as never));

describe('createSharedEnrichedDecoder', () => {
  it('decodes a record once for two readers, then forgets it', () => {
    const decode = createSharedEnrichedDecoder();
    const first = decode(message(7, record('a')));
    expect(first.ok).toBe(true);
    // The other group reads the same bytes at the same place: the same result, not a second decode.
    expect(decode(message(7, record('a')))).toBe(first);
    // Taken: a third read (a retried batch) decodes again, to an equal value.
    const third = decode(message(7, record('a')));
    expect(third).not.toBe(first);
    expect(third).toEqual(first);
  });

  it('tells records apart by partition, offset and bytes', () => {
    const decode = createSharedEnrichedDecoder();
    const a = decode(message(1, record('a')));
    expect(decode(message(1, record('a'), 1))).not.toBe(a);
    expect(decode(message(2, record('a')))).not.toBe(a);
    // Other bytes at the same offset (a topic recreated under the same name): decoded as they are.
    const other = decode(message(1, record('b')));
    expect(other.ok && other.value.feedbackId).toBe('b');
  });

  it('keeps at most `capacity` results, dropping the oldest', () => {
    const decode = createSharedEnrichedDecoder(2);
    const first = decode(message(1, record('a')));
    const second = decode(message(2, record('b')));
    decode(message(3, record('c')));
    expect(decode(message(2, record('b')))).toBe(second);
    expect(decode(message(1, record('a')))).not.toBe(first);
  });

  it('gives both pipelines the same verdict on a record that is not valid', async () => {
    const decoder = createSharedEnrichedDecoder();
    const rollups = createAggregationPipeline({ topicPrefix: 't.', decoder });
    const archive = createArchivePipeline({ decoder });
    for (const run of [rollups, archive]) {
      const result = await run(message(5, '{"schema":"feedback.enriched.v1"}'));
      expect(result.kind).toBe('dlq');
    }
    expect((await archive(message(6, null))).kind).toBe('dlq');
  });

  it('lets the rollups and the archive work from one decode of a valid record', async () => {
    const decoder = createSharedEnrichedDecoder();
    const rollups = createAggregationPipeline({ topicPrefix: 't.', decoder });
    const archive = createArchivePipeline({ decoder });
    const value = record('shared-1', '服務很好');
    const contribution = await rollups(message(9, value));
    const entry = await archive(message(9, value));
    expect(contribution.kind).toBe('ok');
    expect(entry.kind === 'ok' && JSON.parse(entry.value.line)).toEqual(JSON.parse(value));
  });
});
