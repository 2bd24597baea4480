import { ConfigError, redact } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('ANALYSIS_MAX_CHARS and PII settings', () => {
  it('scores 20,000 characters by default and takes another limit from the environment', () => {
    expect(loadConfig({}).analysisMaxChars).toBe(20_000);
    expect(loadConfig({ ANALYSIS_MAX_CHARS: '5000' }).analysisMaxChars).toBe(5_000);
  });

  it('refuses a limit that is not a number or outside 100 to 1,000,000', () => {
    for (const value of ['abc', '10', '2000000'])
      expect(() => loadConfig({ ANALYSIS_MAX_CHARS: value })).toThrow(ConfigError);
  });

  it('redacts by default and keeps the salt out of the logged configuration', () => {
    const config = loadConfig({ PII_HASH_SALT: 's3cret' });
    expect(config.pii).toEqual({ enabled: true, hashSalt: 's3cret' });
    expect(JSON.stringify(redact(config))).not.toContain('s3cret');
    expect(loadConfig({ PII_REDACTION: 'false' }).pii.enabled).toBe(false);
  });
});
