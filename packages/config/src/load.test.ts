import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envBoolean, envInt, envList, envPort } from './env.ts';
import { ConfigError, parseConfig, redact } from './load.ts';

const Schema = z
  .object({ PORT: envPort(8080), WORKERS: envInt(2, { min: 1 }), DEBUG: envBoolean(false), KEYS: envList() })
  .transform((env) => ({
    http: { port: env.PORT },
    workers: env.WORKERS,
    debug: env.DEBUG,
    apiKeys: env.KEYS,
  }));

describe('parseConfig', () => {
  it('applies defaults and nests the result', () => {
    const config = parseConfig('svc', Schema, {});
    expect(config).toEqual({ http: { port: 8080 }, workers: 2, debug: false, apiKeys: [] });
  });

  it('coerces numbers, booleans and lists', () => {
    const config = parseConfig('svc', Schema, { PORT: '9000', WORKERS: '4', DEBUG: 'yes', KEYS: 'a, b,,c' });
    expect(config).toEqual({ http: { port: 9000 }, workers: 4, debug: true, apiKeys: ['a', 'b', 'c'] });
  });

  it('lists every problem at once', () => {
    try {
      parseConfig('svc', Schema, { PORT: 'x', WORKERS: '0', DEBUG: 'maybe' });
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(problems).toEqual(['DEBUG', 'PORT', 'WORKERS']);
      expect((error as Error).message).toContain('expected a boolean');
    }
  });

  it('freezes the configuration', () => {
    const config = parseConfig('svc', Schema, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });
});

describe('redact', () => {
  it('hides secrets and credentials in URLs but keeps the rest', () => {
    const out = redact({
      webhookSecrets: { typeform: ['abc'] },
      apiKeys: ['k1', 'k2'],
      redis: { url: 'redis://user:pw@host:6379' },
      port: 1,
    });
    expect(out).toEqual({
      webhookSecrets: { typeform: '[redacted]' },
      apiKeys: ['[redacted]', '[redacted]'],
      redis: { url: 'redis://user:[redacted]@host:6379' },
      port: 1,
    });
  });
});
