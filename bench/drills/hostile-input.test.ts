import { CustomerProfile, DEFAULT_CHANNELS, eventTimeIssue } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { hostileRequests, pathologicalTexts } from './hostile-input.ts';

describe('hostile-input drill requests', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const requests = hostileRequests('run', now);
  const byLabel = (part: string) => requests.filter((r) => r.label.includes(part));

  it('sends texts far over the analysis cap, shaped like the inputs that stalled enrichment', () => {
    const texts = pathologicalTexts();
    expect(texts.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...texts.map((t) => t.text.length))).toBeGreaterThan(400_000);
    for (const r of byLabel('pathological')) expect(Buffer.byteLength(r.body)).toBeLessThan(1024 * 1024);
  });

  it('sends a record just under the 1 MiB body limit, expected to be accepted', () => {
    const [near] = byLabel('near-limit');
    expect(Buffer.byteLength(near!.body)).toBeGreaterThan(0.9 * 1024 * 1024);
    expect(Buffer.byteLength(near!.body)).toBeLessThan(1024 * 1024);
    expect(near!.expect).toEqual([202]);
  });

  it('expects 300-attribute profiles refused and capped ones accepted, as the contract says', () => {
    const wide = byLabel('300-attribute');
    expect(wide).toHaveLength(20);
    for (const r of wide) {
      expect(r.expect).toEqual([400]);
      const profile = { schema: 'customers.v1', updatedAt: now.toISOString(), ...JSON.parse(r.body) };
      expect(CustomerProfile.safeParse(profile).success).toBe(false);
    }
    const [capped] = byLabel('100-attribute');
    for (const p of JSON.parse(capped!.body))
      expect(
        CustomerProfile.safeParse({ schema: 'customers.v1', updatedAt: now.toISOString(), ...p }).success,
      ).toBe(true);
  });

  it('names 1,000 distinct channels outside the vocabulary', () => {
    const [channels] = byLabel('distinct channels');
    const names = new Set((JSON.parse(channels!.body) as { channel: string }[]).map((i) => i.channel));
    expect(names.size).toBe(1_000);
    for (const name of names) expect(DEFAULT_CHANNELS).not.toContain(name);
    expect(channels!.items).toBe(1_000);
  });

  it('expects every absurd event time refused, from generic, interviews and mentions', () => {
    const absurd = requests.filter((r) => r.expect.includes(400) && !r.label.includes('300-attribute'));
    expect(absurd.map((r) => r.path).sort()).toEqual([
      '/v1/interviews',
      '/v1/mentions',
      '/v1/webhooks/generic',
      '/v1/webhooks/generic',
      '/v1/webhooks/generic',
    ]);
    for (const r of absurd.filter((r) => r.path === '/v1/webhooks/generic'))
      expect(eventTimeIssue(JSON.parse(r.body).occurredAt, now.toISOString())).toBeDefined();
    expect(absurd.every((r) => r.items === 0)).toBe(true);
  });
});
