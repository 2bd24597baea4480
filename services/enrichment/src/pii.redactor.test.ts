import { describe, expect, it } from 'vitest';
import { createPiiRedactor, luhnValid } from './pii.redactor.ts';

describe('PII redactor', () => {
  const plain = createPiiRedactor({ enabled: true });
  const salted = createPiiRedactor({ enabled: true, hashSalt: 'pepper' });

  it('replaces email addresses with a token', () => {
    expect(plain.redact('write to Jane.Doe+vf@example.co.uk please')).toBe('write to [email] please');
  });

  it('gives the same email the same salted token regardless of case', () => {
    const a = salted.redact('jane@example.com');
    expect(a).toMatch(/^\[email:[0-9a-f]{8}\]$/);
    expect(salted.redact('JANE@example.com')).toBe(a);
    expect(salted.redact('john@example.com')).not.toBe(a);
  });

  it('redacts phone numbers in common formats', () => {
    for (const phone of [
      '+44 20 7946 0958',
      '(555) 123-4567',
      '555-123-4567',
      '+1.415.555.2671',
      '06 12 34 56 78',
    ]) {
      expect(plain.redact(`call me on ${phone} today`)).toBe('call me on [phone] today');
    }
  });

  it('redacts card numbers that pass the Luhn check and never hashes them', () => {
    expect(salted.redact('card 4111 1111 1111 1111 was charged twice')).toBe('card [card] was charged twice');
    expect(salted.redact('4111-1111-1111-1111')).toBe('[card]');
  });

  it('leaves order numbers, years, prices and short numbers alone', () => {
    const text = 'Order 123456 in 2024 cost $49.99, waited 3 days, ref 4111111111111112';
    expect(plain.redact(text)).toBe(text);
  });

  it('leaves text untouched when redaction is off', () => {
    const off = createPiiRedactor({ enabled: false });
    expect(off.redact('jane@example.com +44 20 7946 0958')).toBe('jane@example.com +44 20 7946 0958');
  });

  it('reports each redaction by kind', () => {
    const kinds: string[] = [];
    createPiiRedactor({ enabled: true, onRedact: (k) => kinds.push(k) }).redact(
      'a@b.io and 4111 1111 1111 1111 and +1 415 555 2671',
    );
    expect(kinds.sort()).toEqual(['card', 'email', 'phone']);
  });

  it('checks Luhn', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });
});
