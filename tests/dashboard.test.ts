import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoGenerator } from '../packages/cli/src/demo/demo-traffic.ts';
import {
  artifactsDir,
  FIXTURE_SECRETS,
  type Pipeline,
  startPipeline,
  waitUntil,
} from './harness/pipeline.harness.ts';

/** The built-in dashboard in headless Chromium, fed by demo traffic through the real pipeline. */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ITEMS = 240;

describe('the dashboard', () => {
  let p: Pipeline;
  let browser: Browser;

  beforeAll(async () => {
    p = await startPipeline({ name: 'dashboard', env: { FEEDS_ENABLED: 'false' } });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await p?.close();
  });

  it('shows live tiles, segment trends, worst segments and alerts from demo traffic, and keeps a screenshot', async () => {
    const generator = createDemoGenerator({
      secrets: {
        ingestApiKey: p.apiKey,
        typeform: FIXTURE_SECRETS.WEBHOOK_SECRET_TYPEFORM,
        tally: FIXTURE_SECRETS.WEBHOOK_SECRET_TALLY,
        delighted: FIXTURE_SECRETS.WEBHOOK_SECRET_DELIGHTED,
        formbricks: FIXTURE_SECRETS.WEBHOOK_SECRET_FORMBRICKS,
        generic: FIXTURE_SECRETS.WEBHOOK_SECRET_GENERIC,
      },
      customers: 60,
      seed: 42,
      days: 14,
    });
    for (const request of generator.profileRequests()) {
      expect((await p.post(request.path, request.body, request.headers)).status).toBe(202);
    }
    await waitUntil(
      'profiles',
      () => p.api('/v1/customers/cus_demo_0001'),
      (r) => r.status === 200,
    );
    const statuses: Record<string, number> = {};
    for (let sent = 0; sent < ITEMS; sent += 20) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const request = generator.next();
          return `${request.kind} ${(await p.post(request.path, request.body, request.headers)).status}`;
        }),
      );
      for (const a of answers) statuses[a] = (statuses[a] ?? 0) + 1;
    }
    // Every demo source is accepted by ingest.
    expect(Object.keys(statuses).filter((s) => !s.endsWith(' 202'))).toEqual([]);
    const overview = await waitUntil(
      'the demo traffic in the overview',
      () => p.api<{ totals: { counts: { count: number } } }>('/v1/overview'),
      (r) => r.body.totals.counts.count === ITEMS,
      90_000,
    );
    expect(overview.body.totals.counts.count).toBe(ITEMS);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${p.apiUrl}/#key=${encodeURIComponent(p.apiKey)}`);
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
    // The key moved from the URL into local storage.
    expect(new URL(page.url()).hash).toBe('');

    expect(await page.textContent('[data-testid="volume"]')).toBe(ITEMS.toLocaleString('en-US'));
    expect(await page.textContent('[data-testid="nps"]')).toMatch(/^[+-]?\d+$/);
    expect(await page.textContent('[data-testid="csat"]')).toMatch(/^\d+%$/);
    expect(await page.textContent('[data-testid="ingested"]')).toMatch(/^\d[\d,]*$/);
    expect(await page.locator('#charts .chart svg').count()).toBeGreaterThan(0);
    expect(await page.locator('#worst tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#alerts .alert').count()).toBeGreaterThan(0);

    // It refreshes by itself: new feedback shows up without a reload.
    const more = generator.next();
    expect((await p.post(more.path, more.body, more.headers)).status).toBe(202);
    await page.waitForFunction(
      (expected) => document.querySelector('[data-testid="volume"]')?.textContent === expected,
      (ITEMS + 1).toLocaleString('en-US'),
      { timeout: 30_000 },
    );

    const shot = join(artifactsDir(), 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env['UPDATE_DASHBOARD_PICTURE'] === '1')
      copyFileSync(shot, join(artifactsDir(), '..', '..', 'docs', 'dashboard.png'));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('asks for a key when none is stored and none is given', async () => {
    const page = await browser.newPage();
    await page.goto(`${p.apiUrl}/`);
    await page.waitForSelector('#keyform.show', { timeout: 10_000 });
    await page.fill('#keyinput', p.apiKey);
    await page.click('#keyentry button');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
    await page.close();
  });
});
