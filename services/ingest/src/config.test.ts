import { ConfigError } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('ingest configuration', () => {
  it('lists a bad log level, broker list and Standard Webhooks secrets together', () => {
    try {
      loadConfig({
        LOG_LEVEL: 'loud',
        KAFKA_BROKERS: 'foo bar',
        WEBHOOK_SECRET_GENERIC: 'notwhsec',
        WEBHOOK_SECRET_FORMBRICKS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,whsec_c2hvcnQ=',
      });
      expect.unreachable('the configuration is invalid');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = Object.fromEntries(
        (error as ConfigError).problems.map((p) => [p.variable, p.message]),
      );
      expect(Object.keys(problems).sort()).toEqual([
        'KAFKA_BROKERS',
        'LOG_LEVEL',
        'WEBHOOK_SECRET_FORMBRICKS',
        'WEBHOOK_SECRET_GENERIC',
      ]);
      expect(problems['WEBHOOK_SECRET_GENERIC']).toBe(
        'secret #1: expected "whsec_" followed by a base64 key',
      );
      expect(problems['WEBHOOK_SECRET_FORMBRICKS']).toContain(
        'secret #2: expected "whsec_" followed by a base64 key of at least 16 bytes',
      );
    }
  });

  it('accepts Standard Webhooks secrets for the generic and Formbricks endpoints', () => {
    const config = loadConfig({ WEBHOOK_SECRET_GENERIC: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    expect(config.webhookSecrets['WEBHOOK_SECRET_GENERIC']).toEqual([
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
  });
});
