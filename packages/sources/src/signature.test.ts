import { describe, expect, it } from 'vitest';
import { fixtureBytes } from './fixtures.ts';
import {
  signStandardWebhooks,
  verifyDelighted,
  verifyQualtrics,
  verifyStandardWebhooks,
  verifySurveyMonkey,
  verifyTally,
  verifyTypeform,
} from './signature.ts';

const flip = (b: Buffer): Buffer => {
  const copy = Buffer.from(b);
  copy[10] = copy[10]! ^ 0x01;
  return copy;
};

describe('Typeform signature', () => {
  const body = fixtureBytes('webhooks/typeform.json');
  const headers = { 'typeform-signature': 'sha256=3sZnRklqOI2Iw9MJk+Eyw9MeCuBdxoxvtjNmzfY68FQ=' };
  it('accepts the documented test vector', () => {
    expect(verifyTypeform(body, headers, ['typeform-test-secret'])).toEqual({ ok: true });
  });
  it('rejects a one-byte change, a wrong secret and a missing header', () => {
    expect(verifyTypeform(flip(body), headers, ['typeform-test-secret'])).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifyTypeform(body, headers, ['other'])).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyTypeform(body, {}, ['typeform-test-secret'])).toEqual({ ok: false, reason: 'missing' });
  });
  it('accepts either secret during rotation', () => {
    expect(verifyTypeform(body, headers, ['new-secret', 'typeform-test-secret'])).toEqual({ ok: true });
  });
});

describe('SurveyMonkey signature', () => {
  const body = fixtureBytes('webhooks/surveymonkey.json');
  const headers = { 'sm-apikey': 'sm-test-client-id', 'sm-signature': 'Dy4BheTZvnELx/iOwqw6MXP5fyY=' };
  const creds = [{ apiKey: 'sm-test-client-id', apiSecret: 'sm-test-client-secret' }];
  it('accepts the documented test vector', () => {
    expect(verifySurveyMonkey(body, headers, creds)).toEqual({ ok: true });
  });
  it('rejects a one-byte change and a wrong secret', () => {
    expect(verifySurveyMonkey(flip(body), headers, creds)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySurveyMonkey(body, headers, [{ apiKey: 'sm-test-client-id', apiSecret: 'x' }]).ok).toBe(
      false,
    );
  });
});

describe('Qualtrics signature', () => {
  it('accepts the published vector and the fixture vector', () => {
    const msg =
      '{"Status":"Complete","SurveyID":"SV_1AmkKSDmoZ4XlQx","ResponseID":"R_0B7IcnXszjEUHLP","CompletedDate":"2019-06-25 07:58:25","BrandID":"sapdevelopment"}';
    const sig =
      'c2c585a404c239aa3063b462cc33551d3ed3ed2de0899f58d456fc0ef7ebef6f3c3af44957989bd0592603e41edde9528f7d9ed09ee128bf719aa12f46e5c598';
    expect(verifyQualtrics(msg, sig, ['kyma4ever'])).toEqual({ ok: true });
    const form = new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString());
    expect(verifyQualtrics(form.get('MSG')!, form.get('HMAC')!, ['qualtrics-shared-key'])).toEqual({
      ok: true,
    });
  });
  it('rejects a one-byte change of MSG and a wrong key', () => {
    const form = new URLSearchParams(fixtureBytes('webhooks/qualtrics.form-urlencoded.txt').toString());
    const msg = form.get('MSG')!;
    expect(
      verifyQualtrics(msg.replace('Complete', 'Completf'), form.get('HMAC')!, ['qualtrics-shared-key']).ok,
    ).toBe(false);
    expect(verifyQualtrics(msg, form.get('HMAC')!, ['kyma4ever']).ok).toBe(false);
  });
});

describe('Tally and Delighted signatures', () => {
  it('accept their test vectors and reject a changed byte', () => {
    const tally = fixtureBytes('webhooks/tally.json');
    const th = { 'tally-signature': 'QVqsryX2BkHbkccHabhIYQ1UeNwpNcCGQqmcaMl+4SM=' };
    expect(verifyTally(tally, th, ['tally-test-secret'])).toEqual({ ok: true });
    expect(verifyTally(flip(tally), th, ['tally-test-secret']).ok).toBe(false);
    const delighted = fixtureBytes('webhooks/delighted.json');
    const dh = {
      'x-delighted-webhook-signature':
        'sha256=2209ae41a4d8b5dac40622e5630fc6747e05e78e1c07bc7345c25563c4473c6c',
    };
    expect(verifyDelighted(delighted, dh, ['delighted-test-api-key'])).toEqual({ ok: true });
    expect(verifyDelighted(flip(delighted), dh, ['delighted-test-api-key']).ok).toBe(false);
    expect(verifyDelighted(delighted, dh, ['wrong']).ok).toBe(false);
  });
});

describe('Standard Webhooks signature', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const published = {
    'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    'webhook-timestamp': '1614265330',
    'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const body = Buffer.from('{"test": 2432232314}');
  it('accepts the published test vector within the tolerance', () => {
    expect(verifyStandardWebhooks(body, published, [secret], { nowMs: 1614265330_000 + 60_000 })).toEqual({
      ok: true,
    });
  });
  it('accepts the Formbricks fixture vector', () => {
    const headers = {
      'webhook-id': '6f1b0c0e8a4d5b0b3f1e2c7d9a8b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b',
      'webhook-timestamp': '1768471477',
      'webhook-signature': 'v1,8j9+NOYVjmDUcBLl2W4bUoyj7sruAj01tEQVjRdty/0=',
    };
    expect(
      verifyStandardWebhooks(fixtureBytes('webhooks/formbricks.json'), headers, [secret], {
        nowMs: 1768471477_000,
      }),
    ).toEqual({ ok: true });
  });
  it('rejects an expired timestamp, a one-byte change and a wrong secret', () => {
    expect(verifyStandardWebhooks(body, published, [secret], { nowMs: 1614265330_000 + 301_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyStandardWebhooks(body, published, [secret], { nowMs: 1614265330_000 - 301_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(
      verifyStandardWebhooks(Buffer.from('{"test": 2432232315}'), published, [secret], {
        nowMs: 1614265330_000,
      }).ok,
    ).toBe(false);
    expect(
      verifyStandardWebhooks(body, published, ['whsec_' + Buffer.from('x'.repeat(32)).toString('base64')], {
        nowMs: 1614265330_000,
      }).ok,
    ).toBe(false);
  });
  it('signs the published Standard Webhooks test vector', () => {
    expect(
      signStandardWebhooks(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
  it('accepts any of several signatures and any of several secrets (rotation)', () => {
    const other = 'whsec_' + Buffer.from('y'.repeat(32)).toString('base64');
    const signed = signStandardWebhooks(other, 'msg_1', 1700000000, body);
    const headers = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': `v1,bogus ${signed}`,
    };
    expect(verifyStandardWebhooks(body, headers, [secret, other], { nowMs: 1700000000_000 })).toEqual({
      ok: true,
    });
    expect(verifyStandardWebhooks(body, headers, [secret], { nowMs: 1700000000_000 }).ok).toBe(false);
  });
});
