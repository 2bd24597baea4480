import { MAX_RECORD_BYTES, TOPICS } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { classifyProduceError } from './producer.ts';
import { RECORD_BATCH_OVERHEAD_BYTES, recordSizeBytes, topicRecordLimit } from './record-size.ts';

describe('record size', () => {
  it('counts key, value and headers in UTF-8 bytes plus the batch and record overhead', () => {
    const empty = recordSizeBytes({ key: null, value: null });
    expect(empty).toBeGreaterThan(RECORD_BATCH_OVERHEAD_BYTES);
    expect(recordSizeBytes({ key: 'k', value: 'é', headers: {} })).toBe(empty + 1 + 2);
    expect(recordSizeBytes({ key: Buffer.alloc(10), value: null })).toBe(empty + 10);
    const withHeader = recordSizeBytes({ key: null, value: null, headers: { ab: 'cde' } });
    expect(withHeader).toBeGreaterThan(empty + 5);
  });

  it('knows every contract topic limit, under a prefix too, and no other topic', () => {
    for (const topic of Object.values(TOPICS)) {
      expect(topicRecordLimit(topic)).toBe(MAX_RECORD_BYTES[topic]);
      expect(topicRecordLimit(`t_1.${topic}`)).toBe(MAX_RECORD_BYTES[topic]);
    }
    expect(topicRecordLimit('something.else')).toBeUndefined();
  });
});

describe('produce error classification', () => {
  const protocol = (type: string) => Object.assign(new Error(type), { name: 'KafkaJSProtocolError', type });

  it('finds a non-retryable broker error inside the retry wrappers', () => {
    const wrapped = Object.assign(new Error('retries exceeded'), { cause: protocol('MESSAGE_TOO_LARGE') });
    expect(classifyProduceError(wrapped)).toMatchObject({ reason: 'record_too_large', split: true });
    expect(classifyProduceError(protocol('RECORD_LIST_TOO_LARGE'))).toMatchObject({
      reason: 'record_too_large',
    });
    expect(classifyProduceError(protocol('INVALID_RECORD'))).toMatchObject({ reason: 'invalid_record' });
    expect(classifyProduceError(protocol('CORRUPT_MESSAGE'))).toMatchObject({ reason: 'invalid_record' });
    expect(classifyProduceError(protocol('TOPIC_AUTHORIZATION_FAILED'))).toMatchObject({
      reason: 'not_authorized',
      split: false,
    });
    expect(classifyProduceError(protocol('UNKNOWN_TOPIC_OR_PARTITION'))).toMatchObject({
      reason: 'unknown_topic',
    });
  });

  it('leaves leader changes, timeouts and network errors retryable', () => {
    expect(classifyProduceError(protocol('LEADER_NOT_AVAILABLE'))).toBeUndefined();
    expect(classifyProduceError(protocol('NOT_LEADER_FOR_PARTITION'))).toBeUndefined();
    expect(classifyProduceError(protocol('REQUEST_TIMED_OUT'))).toBeUndefined();
    expect(
      classifyProduceError(Object.assign(new Error('ECONNREFUSED'), { name: 'KafkaJSConnectionError' })),
    ).toBeUndefined();
  });
});
