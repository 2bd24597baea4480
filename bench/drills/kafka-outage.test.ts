import { describe, expect, it } from 'vitest';
import { kafkaOutageRefusal } from './drills.ts';

const own = { address: '127.0.0.1:19092', owner: 'stack' as const, ready: true };

describe('the kafka-outage drill owns what it breaks', () => {
  it('runs against the broker this checkout started', () => {
    expect(kafkaOutageRefusal(['127.0.0.1:19092'], own)).toBeUndefined();
    expect(kafkaOutageRefusal(['localhost:19092'], own)).toBeUndefined();
  });

  it('refuses at once a Kafka started by another checkout or process', () => {
    expect(kafkaOutageRefusal(['127.0.0.1:19092'], { ...own, owner: 'external' })).toMatch(
      /started by another checkout or process.*cannot stop it/,
    );
  });

  it('refuses a pipeline on another broker than the stack it could stop, or on several', () => {
    expect(kafkaOutageRefusal(['127.0.0.1:29092'], own)).toMatch(/is not this checkout's stack Kafka/);
    expect(kafkaOutageRefusal(['a:9092', 'b:9092'], own)).toMatch(/2 brokers/);
    expect(kafkaOutageRefusal(['127.0.0.1:19092'], { ...own, ready: false, owner: 'none' })).toMatch(
      /no Kafka running/,
    );
  });
});
