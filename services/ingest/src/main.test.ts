import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { logSourcesAndKeys } from './main.ts';

/** What the start-up log says for an environment, one parsed line per entry. */
function startupLog(env: Record<string, string>): { level: number; msg: string; source?: string }[] {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  logSourcesAndKeys(loadConfig({ LOG_LEVEL: 'silent', ...env }), pino({ level: 'info' }, sink));
  return lines.map((line) => JSON.parse(line));
}

describe('the start-up log', () => {
  it('warns loudly when the API-key endpoints are open without a key', () => {
    const warnings = startupLog({ ALLOW_UNSIGNED_SOURCES: 'api' }).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toContainEqual(
      expect.stringMatching(/^WARNING: .*WITHOUT an API key/),
    );
  });
  it('names each disabled source with the variable to set, and calls API_KEYS deprecated', () => {
    const log = startupLog({ API_KEYS: 'old', WEBHOOK_SECRET_ZENDESK: 'z' });
    expect(log.find((l) => l.source === 'jotform')?.msg).toBe('source disabled: no secret configured');
    expect(log.some((l) => l.source === 'zendesk')).toBe(false);
    expect(log.map((l) => l.msg)).toContainEqual(expect.stringMatching(/API_KEYS is deprecated/));
  });
});
