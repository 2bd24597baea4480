import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const out: Record<string, string> = {};
    for (const p of error.problems)
      out[p.variable] = out[p.variable] ? `${out[p.variable]}; ${p.message}` : p.message;
    return out;
  }
  return {};
}

describe('enrichment configuration', () => {
  it('lists bad types, a missing required secret and bad rule files in one round', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-enrichment-config-'));
    const alertRules = join(dir, 'alerts.json');
    writeFileSync(alertRules, '{ not json');
    const problems = problemsOf({
      LOG_LEVEL: 'loud',
      ENRICHMENT_OPS_PORT: 'abc',
      REDIS_URL: 'notaurl',
      KAFKA_BROKERS: 'foo bar',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/vocflow',
      VOCFLOW_SEGMENTS: join(dir, 'missing.json'),
      VOCFLOW_ALERT_RULES: alertRules,
    });
    expect(Object.keys(problems).sort()).toEqual([
      'ALERT_WEBHOOK_SECRET',
      'ENRICHMENT_OPS_PORT',
      'KAFKA_BROKERS',
      'LOG_LEVEL',
      'REDIS_URL',
      'VOCFLOW_ALERT_RULES',
      'VOCFLOW_SEGMENTS',
    ]);
    expect(problems['ALERT_WEBHOOK_SECRET']).toBe('required when ALERT_WEBHOOK_URL is set');
    expect(problems['VOCFLOW_SEGMENTS']).toContain('cannot read');
    expect(problems['VOCFLOW_ALERT_RULES']).toContain('is not JSON');
  });

  it('refuses an alert webhook secret that is not a Standard Webhooks secret, without echoing it', () => {
    const problems = problemsOf({
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/vocflow',
      ALERT_WEBHOOK_SECRET: 'notwhsec',
    });
    expect(problems['ALERT_WEBHOOK_SECRET']).toContain('whsec_');
    expect(problems['ALERT_WEBHOOK_SECRET']).not.toContain('notwhsec');
  });
});
