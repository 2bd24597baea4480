import type { ProfileSnapshot } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import {
  baseLanguage,
  isIdentifyingName,
  isIdentifyingValue,
  segmentAttributeProblems,
  segmentsFor,
} from './segments.rules.ts';

const profile = (fields: Partial<ProfileSnapshot>): ProfileSnapshot => ({ attributes: {}, ...fields });

describe('automatic segments', () => {
  it('come from the listed attributes only, not from every profile attribute', () => {
    const wide = profile({
      tier: 'Enterprise',
      region: 'Greater China',
      attributes: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`field${i}`, `value ${i}`])),
    });
    expect(segmentsFor([], { profile: wide, channel: 'survey', source: 'typeform', language: 'en' })).toEqual(
      ['channel:survey', 'language:en', 'region:greater-china', 'source:typeform', 'tier:enterprise'],
    );
  });

  it('use the base language, so Traditional Chinese counts under language:zh', () => {
    const input = { profile: null, channel: 'social', source: 'mention' } as const;
    expect(segmentsFor([], { ...input, language: 'zh-Hant' })).toContain('language:zh');
    expect(segmentsFor([], { ...input, language: 'zh' })).toContain('language:zh');
    expect(segmentsFor([], { ...input, language: 'und' }).some((s) => s.startsWith('language:'))).toBe(false);
    expect(baseLanguage('pt-BR')).toBe('pt');
  });

  it('take free-form attributes that are listed, normalised and capped at 64 characters', () => {
    const p = profile({
      attributes: { segment: 'Key Accounts / Nord', cohort: 'x'.repeat(200), beta: true },
    });
    expect(
      segmentsFor([], { profile: p, channel: 'email', source: 'generic' }, [
        'segment',
        'attributes.beta',
        'cohort',
      ]),
    ).toEqual(['beta:true', `cohort:${'x'.repeat(64)}`, 'segment:key-accounts-nord']);
  });

  it('never form a segment from a value that looks like an email, a phone number or an id', () => {
    const p = profile({
      tier: 'ops@example.com',
      region: '+86 138 0013 8000',
      industry: '9f86d081-884c-4d63-9a6b-7f2c1d3e4b5a',
      plan: 'cus_12345678',
    });
    expect(segmentsFor([], { profile: p, channel: 'survey', source: 'generic' })).toEqual([
      'channel:survey',
      'source:generic',
    ]);
  });

  it('recognise identifying attribute names in every spelling', () => {
    for (const name of [
      'id',
      'user_id',
      'customerId',
      'email',
      'e-mail',
      'contactEmail',
      'mobile_phone',
      'phone2',
      'name',
      'first_name',
      'ip_address',
    ])
      expect(isIdentifyingName(name), name).toBe(true);
    for (const name of ['tier', 'region', 'plan', 'paid', 'industry', 'plan_name', 'key_account'])
      expect(isIdentifyingName(name), name).toBe(false);
    expect(isIdentifyingValue('Enterprise')).toBe(false);
    expect(isIdentifyingValue('2026')).toBe(false);
    expect(isIdentifyingValue('0123456789abcdef0123')).toBe(true);
  });

  it('refuse to be configured from identifying attributes, naming each', () => {
    expect(segmentAttributeProblems(['tier', 'attributes.segment'])).toEqual([]);
    expect(segmentAttributeProblems(['tier', 'email', 'attributes.accountId'])).toEqual([
      '"email" looks like an id, email or phone number and may not form segments',
      '"attributes.accountId" looks like an id, email or phone number and may not form segments',
    ]);
    expect(() => loadConfig({ SEGMENT_ATTRIBUTES: 'tier,phone' })).toThrow(/SEGMENT_ATTRIBUTES/);
    expect(loadConfig({ SEGMENT_ATTRIBUTES: 'tier,channel' }).segmentAttributes).toEqual(['tier', 'channel']);
    expect(loadConfig({}).segmentAttributes).toEqual([
      'tier',
      'region',
      'industry',
      'plan',
      'channel',
      'source',
      'language',
    ]);
  });
});
