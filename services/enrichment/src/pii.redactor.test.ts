import { describe, expect, it } from 'vitest';
import { chineseIdChecksumValid, chineseIdValid, createPiiRedactor, luhnValid } from './pii.redactor.ts';

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

  it('redacts both the phone number and the email of one sentence', () => {
    expect(plain.redact('call +44 20 7946 0958 or mail jane@acme.example')).toBe(
      'call [phone] or mail [email]',
    );
  });

  it('redacts Chinese mobile and landline numbers, with or without +86, inside Chinese text', () => {
    for (const phone of [
      '13800138000',
      '138 0013 8000',
      '138-0013-8000',
      '+86 138 0013 8000',
      '+86 13800138000',
      '+86-10-1234-5678',
      '(010) 1234 5678',
      '１３８００１３８０００',
    ]) {
      expect(plain.redact(`我的手机是${phone}，请尽快联系`)).toBe('我的手机是[phone]，请尽快联系');
    }
  });

  it('redacts an email written inside Chinese text and keeps the Chinese around it', () => {
    expect(plain.redact('请联系jane@acme.example谢谢')).toBe('请联系[email]谢谢');
    expect(plain.redact('邮箱：li.wei@example.cn。')).toBe('邮箱：[email]。');
  });

  it('redacts 18-character Chinese ID-card numbers with a valid date and check character, never hashed', () => {
    expect(salted.redact('身份证号11010519491231002X，请核对')).toBe('身份证号[idcard]，请核对');
    expect(salted.redact('身份证号11010519491231002x')).toBe('身份证号[idcard]');
    expect(salted.redact('ID 310115198512010042 attached')).toBe('ID [idcard] attached');
    expect(salted.redact('旧身份证110105491231002')).toBe('旧身份证[idcard]');
  });

  it('leaves 18-digit numbers that are not ID-card numbers alone (a wrong check digit, an impossible date)', () => {
    expect(plain.redact('订单号310115198512010043')).toBe('订单号310115198512010043');
    expect(plain.redact('订单号310115198513010042')).toBe('订单号310115198513010042');
  });

  it('redacts card numbers that pass the Luhn check and never hashes them', () => {
    expect(salted.redact('card 4111 1111 1111 1111 was charged twice')).toBe('card [card] was charged twice');
    expect(salted.redact('4111-1111-1111-1111')).toBe('[card]');
    expect(salted.redact('卡号4111111111111111已扣款')).toBe('卡号[card]已扣款');
  });

  it('leaves order numbers, years, dates, prices and short numbers alone', () => {
    const text =
      'Order 123456 in 2024 cost $49.99, waited 3 days, ref 4111111111111112, on 2026-11-22 or 22.11.2026';
    expect(plain.redact(text)).toBe(text);
  });

  it('does not take digits glued to letters for a number (ids such as ORD13800138000)', () => {
    expect(plain.redact('ref ORD13800138000 and v2')).toBe('ref ORD13800138000 and v2');
  });

  it('takes digits inside an email address as part of the address', () => {
    expect(plain.redact('555-123-4567@sms.example')).toBe('[email]');
  });

  it('leaves text untouched when redaction is off', () => {
    const off = createPiiRedactor({ enabled: false });
    expect(off.redact('jane@example.com +44 20 7946 0958')).toBe('jane@example.com +44 20 7946 0958');
  });

  it('reports each redaction by kind', () => {
    const kinds: string[] = [];
    createPiiRedactor({ enabled: true, onRedact: (k) => kinds.push(k) }).redact(
      'a@b.io and 4111 1111 1111 1111 and +1 415 555 2671 and 11010519491231002X',
    );
    expect(kinds.sort()).toEqual(['card', 'email', 'idcard', 'phone']);
  });

  it('checks Luhn and the ID-card check character (ISO 7064 MOD 11-2) and date', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(chineseIdChecksumValid('11010519491231002X')).toBe(true);
    expect(chineseIdChecksumValid('110105194912310021')).toBe(false);
    expect(chineseIdValid('110105194902300025')).toBe(false);
  });
});

/**
 * The scanner's work must grow linearly with the text, whatever the text holds. Counted, not timed:
 * the redactor reports the steps it took (one per loop iteration of its scanner, one per span), so
 * the assertion is deterministic on a busy machine. Linear work gives a ratio of 8 between n and 8n
 * characters (quadratic: 64), and a small constant number of steps per character.
 */
describe('PII redactor on hostile input', () => {
  let steps = 0;
  const redactor = createPiiRedactor({
    enabled: true,
    hashSalt: 'pepper',
    onScanned: (taken) => {
      steps = taken;
    },
  });
  const stepsFor = (text: string): number => {
    redactor.redact(text);
    return steps;
  };
  const repeat = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

  const hostile: Record<string, (n: number) => string> = {
    'an @ before a long run of letters (the pattern that once froze enrichment)': (n) =>
      `reach me at @${'a'.repeat(n)}`,
    'a long local part and no domain': (n) => `${'a'.repeat(n)}@`,
    'a long local part of dots and symbols': (n) => `${repeat('.+_-', n)}@x`,
    'many @': (n) => '@'.repeat(n),
    'a@ repeated': (n) => repeat('a@', n),
    'a domain of many dots': (n) => `jane@${repeat('a.', n)}`,
    'a domain of many hyphens': (n) => `jane@a${'-'.repeat(n)}`,
    'a run of digits': (n) => '1'.repeat(n),
    'digits with single spaces': (n) => repeat('1 ', n),
    'digit pairs with dashes': (n) => repeat('12-', n),
    'digits with dots': (n) => repeat('9.', n),
    'a run of +': (n) => `${'+'.repeat(n)}1`,
    '+1 repeated': (n) => repeat('+1 ', n),
    'open parentheses': (n) => `${'('.repeat(n)}1`,
    '(1) repeated': (n) => repeat('(1) ', n),
    'word characters next to digits': (n) => repeat('a1', n),
    'almost an ID number': (n) => repeat('1101051949123100X', n),
    'Chinese around numbers': (n) => repeat('电话138 0013 8000，', n),
    'emails and phones mixed': (n) => repeat('a@b.co 555-123-4567 ', n),
  };

  const n = 20_000;
  for (const [name, make] of Object.entries(hostile)) {
    it(`scans ${name} in linear time`, () => {
      const small = stepsFor(make(n));
      const large = stepsFor(make(8 * n));
      expect(small).toBeGreaterThanOrEqual(n);
      expect(small).toBeLessThanOrEqual(32 * n);
      expect(large / small).toBeLessThan(8.5);
    });
  }

  it('redacts a 1 MB adversarial text to the end: the tail is scanned, not left as it was', () => {
    const text = `${repeat('@a 1 1-1 +( x.', 1_048_576)} mail jane@acme.example or +86 138 0013 8000`;
    const out = redactor.redact(text);
    expect(out).not.toContain('jane@acme.example');
    expect(out).not.toContain('138 0013 8000');
    expect(out).toMatch(/mail \[email:[0-9a-f]{8}\] or \[phone:[0-9a-f]{8}\]$/);
  });

  it('redacts a hostile note of 450,000 characters', () => {
    const note = `reach me at @${'a'.repeat(450_000)} or jane@acme.example`;
    expect(redactor.redact(note)).toMatch(/ or \[email:[0-9a-f]{8}\]$/);
  });
});
