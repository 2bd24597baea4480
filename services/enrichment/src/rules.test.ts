import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@vocflow/config';
import { describe, expect, it } from 'vitest';
import { matches } from './conditions.rules.ts';
import { loadConfig } from './config.ts';
import { segmentsFor, slug } from './segments.rules.ts';

const dir = mkdtempSync(join(tmpdir(), 'vf-enrichment-rules-'));
const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

describe('rule conditions', () => {
  const subject: Record<string, unknown> = {
    tier: 'Enterprise',
    nps: 6,
    segments: ['tier:enterprise', 'vip'],
    seats: '250',
  };
  const resolve = (a: string) => subject[a] as never;

  it('compares strings case-insensitively and numbers numerically', () => {
    expect(matches({ attribute: 'tier', equals: 'enterprise' }, resolve)).toBe(true);
    expect(matches({ attribute: 'seats', gte: 100 }, resolve)).toBe(true);
    expect(matches({ attribute: 'nps', lte: 6 }, resolve)).toBe(true);
    expect(matches({ attribute: 'nps', lt: 6 }, resolve)).toBe(false);
  });

  it('treats a list attribute as containing the value', () => {
    expect(matches({ attribute: 'segments', equals: 'vip' }, resolve)).toBe(true);
    expect(matches({ attribute: 'segments', in: ['x', 'VIP'] }, resolve)).toBe(true);
  });

  it('combines with all, any and not, and tests presence with exists', () => {
    expect(
      matches(
        { all: [{ attribute: 'tier', exists: true }, { not: { attribute: 'plan', exists: true } }] },
        resolve,
      ),
    ).toBe(true);
    expect(
      matches(
        {
          any: [
            { attribute: 'plan', equals: 'pro' },
            { attribute: 'nps', gt: 9 },
          ],
        },
        resolve,
      ),
    ).toBe(false);
    expect(matches({ attribute: 'plan', equals: 'pro' }, resolve)).toBe(false);
  });
});

describe('segments', () => {
  it('slugs values into ids safe in Redis keys and URLs', () => {
    expect(slug('Île-de-France / Nord')).toBe('ile-de-france-nord');
    expect(slug('  EMEA ')).toBe('emea');
    expect(slug('a:b?c#d')).toBe('a-b-c-d');
    // A long inner run of punctuation (quadratic for a trailing-run regex) is kept, only the ends trimmed.
    expect(slug(`._a${'._'.repeat(100_000)}b_.`)).toBe(`a${'._'.repeat(100_000)}b`.slice(0, 64));
  });

  it('forms channel and source segments without a profile', () => {
    expect(segmentsFor([], { profile: null, channel: 'Social', source: 'mention' })).toEqual([
      'channel:social',
      'source:mention',
    ]);
  });
});

describe('loadConfig', () => {
  it('uses the default alert rules and no segment rules when no files are named', () => {
    const config = loadConfig({});
    expect(config.alertRules.map((r) => r.id)).toEqual(['nps-detractor', 'enterprise-strongly-negative']);
    expect(config.segmentRules).toEqual([]);
    expect(config.opsPort).toBe(8082);
    expect(config.pii.enabled).toBe(true);
    expect(config.webhook).toBeUndefined();
  });

  it('loads segment and alert rule files', () => {
    const config = loadConfig({
      VOCFLOW_SEGMENTS: file('segments.json', {
        segments: [{ id: 'enterprise-emea', match: { all: [{ attribute: 'tier', equals: 'enterprise' }] } }],
      }),
      VOCFLOW_ALERT_RULES: file('alerts.json', {
        rules: [{ id: 'low-csat', when: { attribute: 'csat', lte: 2 } }],
      }),
    });
    expect(config.segmentRules.map((s) => s.id)).toEqual(['enterprise-emea']);
    expect(config.alertRules).toEqual([
      { id: 'low-csat', severity: 'warning', when: { attribute: 'csat', lte: 2 } },
    ]);
  });

  it('names the file and the path of every problem in the rule files', () => {
    const segments = file('bad-segments.json', {
      segments: [
        { id: 'Has Space', match: { attribute: 'tier', equals: 'x' } },
        { id: 'ok', match: { attribute: 'tier' } },
      ],
    });
    const alerts = file('bad-alerts.json', '{"rules": [');
    try {
      loadConfig({ VOCFLOW_SEGMENTS: segments, VOCFLOW_ALERT_RULES: alerts });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const messages = (error as ConfigError).problems.map((p) => `${p.variable}: ${p.message}`);
      expect(messages).toContainEqual(
        expect.stringContaining(`VOCFLOW_SEGMENTS: ${segments} at segments.0.id`),
      );
      expect(messages).toContainEqual(expect.stringContaining(`${segments} at segments.1.match`));
      expect(messages).toContainEqual(expect.stringContaining(`VOCFLOW_ALERT_RULES: ${alerts} is not JSON`));
    }
  });

  it('requires a whsec_ secret when a webhook URL is set', () => {
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/hook' })).toThrow(
      /ALERT_WEBHOOK_SECRET/,
    );
    expect(() => loadConfig({ ALERT_WEBHOOK_URL: 'http://x/h', ALERT_WEBHOOK_SECRET: 'plain' })).toThrow(
      /whsec_/,
    );
    const config = loadConfig({
      ALERT_WEBHOOK_URL: 'http://x/h',
      ALERT_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
    });
    expect(config.webhook).toMatchObject({ url: 'http://x/h', maxAttempts: 8 });
  });
});
