import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoGenerator } from '../packages/cli/src/demo/demo-traffic.ts';
import {
  artifactsDir,
  FIXTURE_SECRETS,
  type Pipeline,
  startPipeline,
  waitUntil,
} from './harness/pipeline.harness.ts';

/**
 * The built-in dashboard in headless Chromium, fed by demo traffic through the real pipeline:
 * overview, drivers, what was said about one (click-through), a customer's page, two segments side by
 * side and the period switch, in English and Chinese, at desktop and phone width. Screenshots go to
 * tests/artifacts/ (UPDATE_DASHBOARD_PICTURE=1 also refreshes the README's docs/dashboard.png).
 */

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const ITEMS = 240;
const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };

interface Measured {
  counts: { count: number };
  metrics: { nps: number | null };
}
interface Driver {
  aspect: string;
  mentions: number;
}
interface Verbatim {
  feedbackId: string;
  customerId: string;
  language?: string;
  text: string;
}

describe('the dashboard', () => {
  let p: Pipeline;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const open = async (locale: string, viewport: { width: number; height: number }, path = '/') => {
    // One page at a time: an open page polls the API every few seconds.
    for (const previous of contexts.splice(0)) await previous.close();
    const context = await browser.newContext({ locale, viewport });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${p.apiUrl}${path}#key=${encodeURIComponent(p.apiKey)}`);
    await loaded(page);
    return { page, errors };
  };
  const loaded = (page: Page) => page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
  const shot = async (page: Page, name: string) => {
    const path = join(artifactsDir(), `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
  /** Nothing wider than the window: no sideways scrolling of the page itself. */
  const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

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
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await p?.close();
  });

  it('says what to do while there is no feedback yet', async () => {
    const { page, errors } = await open('en-US', DESKTOP);
    await page.waitForSelector('#empty-state.show');
    expect(await page.textContent('#empty-state')).toContain('npx vocflow demo');
    await shot(page, 'dashboard-empty');
    expect(errors).toEqual([]);
  });

  it('shows live tiles, trends with axes, drivers, worst segments and alerts from demo traffic', async () => {
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
    await waitUntil(
      'the demo traffic in the overview',
      () => p.api<{ totals: { counts: { count: number } } }>('/v1/overview'),
      (r) => r.body.totals.counts.count === ITEMS,
      90_000,
    );

    const { page, errors } = await open('en-US', DESKTOP);
    // The key moved from the URL into local storage.
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    // The demo's feedback lies within the last 14 days: the default 30-day period holds all of it.
    expect(await page.textContent('[data-scope="overall"] [data-testid="volume"]')).toBe(
      ITEMS.toLocaleString('en-US'),
    );
    expect(await page.textContent('[data-testid="nps"]')).toMatch(/^[+-]?\d+$/);
    expect(await page.textContent('[data-testid="csat"]')).toMatch(/^\d+%$/);
    expect(await page.textContent('[data-testid="ingested"]')).toMatch(/^\d[\d,]*$/);
    // Every tile is a figure of the period and says how it moved against the previous period; Kafka's
    // totals since the start stand in the pipeline line, not as tiles.
    const tiles = page.locator('[data-scope="overall"] .tile');
    expect(await tiles.count()).toBe(5);
    for (const id of ['nps', 'csat', 'ces', 'sentiment', 'volume'])
      expect(await page.textContent(`[data-tile="${id}"] .delta`)).toMatch(/previous period/);
    expect(await page.locator('[data-scope="overall"] .tile:not(:has(.delta))').count()).toBe(0);
    expect(await page.textContent('[data-testid="pipeline"]')).toMatch(/^Pipeline, all time: Ingested/);
    // The trend has axes with units, a legend and a summary for screen readers.
    const chart = page.locator('[data-scope="overall"] .chart svg');
    expect(await chart.getAttribute('role')).toBe('img');
    expect(await chart.getAttribute('aria-label')).toMatch(/240 items/);
    expect(await chart.textContent()).toContain('NPS · CSAT % · sentiment ×100');
    expect(await chart.textContent()).toContain('time (UTC)');
    expect(await page.textContent('[data-scope="overall"] .legend')).toContain('items (bars)');
    // Drivers: the API's ranking, in order.
    const drivers = await p.api<{ drivers: Driver[] }>('/v1/drivers');
    expect(drivers.body.drivers.length).toBeGreaterThan(0);
    expect(
      await page
        .locator('[data-scope="overall"] table.drivers tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-aspect'))),
    ).toEqual(drivers.body.drivers.map((d) => d.aspect));
    expect(await page.locator('#worst tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#alerts .alert').count()).toBeGreaterThan(0);

    // It refreshes by itself: new feedback shows up without a reload.
    const more = generator.next();
    expect((await p.post(more.path, more.body, more.headers)).status).toBe(202);
    await page.waitForFunction(
      (expected) =>
        document.querySelector('[data-scope="overall"] [data-testid="volume"]')?.textContent === expected,
      (ITEMS + 1).toLocaleString('en-US'),
      { timeout: 30_000 },
    );
    await page.waitForSelector('body[data-loaded="true"]');
    const picture = await shot(page, 'dashboard-en-desktop');
    if (process.env['UPDATE_DASHBOARD_PICTURE'] === '1')
      copyFileSync(picture, join(artifactsDir(), '..', '..', 'docs', 'dashboard.png'));
    expect(errors).toEqual([]);
  });

  it('opens what customers said about a driver, pages through it, and goes on to the customer', async () => {
    const { page, errors } = await open('en-US', DESKTOP);
    const first = page.locator('[data-scope="overall"] table.drivers button[data-drill]').first();
    const aspect = (await first.getAttribute('data-drill'))!;
    // Keyboard: the driver is a button reached with focus and opened with Enter.
    await first.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('#verbatims[data-loaded="true"]:not([hidden]) #v-list .item');
    expect(await page.textContent('#verbatims-title')).toContain(aspect);
    const expected = await p.api<{ items: Verbatim[]; nextCursor: string | null }>(
      `/v1/verbatims?aspect=${aspect}&limit=10`,
    );
    const shown = () =>
      page.locator('#v-list .item').evaluateAll((items) => items.map((i) => i.getAttribute('data-feedback')));
    expect(await shown()).toEqual(expected.body.items.map((v) => v.feedbackId));
    if (expected.body.nextCursor) {
      const next = await p.api<{ items: Verbatim[] }>(
        `/v1/verbatims?aspect=${aspect}&limit=10&cursor=${expected.body.nextCursor}`,
      );
      await page.click('#v-more');
      await page.waitForFunction(
        (n) => document.querySelectorAll('#v-list .item').length === n,
        expected.body.items.length + next.body.items.length,
      );
      expect(await shown()).toEqual([...expected.body.items, ...next.body.items].map((v) => v.feedbackId));
    }
    // Only the negative ones.
    await page.selectOption('#v-label', 'negative');
    await page.waitForSelector('#verbatims[data-loaded="true"]');
    const negative = await p.api<{ items: Verbatim[] }>(
      `/v1/verbatims?aspect=${aspect}&label=negative&limit=10`,
    );
    await page.waitForFunction(
      (ids) =>
        Array.from(document.querySelectorAll('#v-list .item'))
          .map((i) => i.getAttribute('data-feedback'))
          .join() === ids.join(),
      negative.body.items.map((v) => v.feedbackId),
    );
    await shot(page, 'dashboard-en-verbatims');

    // On to the customer who said the newest of them all.
    await page.selectOption('#v-label', '');
    await page.waitForSelector('#verbatims[data-loaded="true"]');
    const customer = expected.body.items[0]!.customerId;
    await page.locator(`#v-list .item`).first().getByRole('link').click();
    await page.waitForSelector('body[data-view="customer"][data-loaded="true"]');
    expect(await page.textContent('#customer-title')).toContain(customer);
    const api = await p.api<{ profile: Record<string, unknown> | null; latestFeedback: unknown[] }>(
      `/v1/customers/${encodeURIComponent(customer)}`,
    );
    expect(await page.locator('#customer-feedback .item').count()).toBe(api.body.latestFeedback.length);
    expect(await page.locator('#customer-chart svg').count()).toBe(1);
    if (api.body.profile?.['tier'])
      expect(await page.textContent('[data-field="tier"]')).toBe(String(api.body.profile['tier']));
    // Contact details show exactly when the API gave them to this key.
    expect(await page.locator('[data-field="email"]').count()).toBe(api.body.profile?.['email'] ? 1 : 0);
    await shot(page, 'dashboard-en-customer');
    await page.click('#back');
    await page.waitForSelector('body[data-view="overview"][data-loaded="true"]');
    expect(errors).toEqual([]);
  });

  it('compares two segments side by side and switches the period and granularity', async () => {
    const { page, errors } = await open('en-US', DESKTOP);
    const segments = await p.api<{ segments: ({ segmentId: string } & Measured)[] }>('/v1/segments');
    const [a, b] = segments.body.segments
      .filter((s) => s.segmentId.startsWith('tier:'))
      .sort((x, y) => y.counts.count - x.counts.count);
    // The picker searches by name: typing part of it offers the match.
    expect(
      await page.locator('#segment-list option').evaluateAll((o) => o.map((x) => x.getAttribute('value'))),
    ).toContain(a!.segmentId);
    await page.fill('#segment', a!.segmentId);
    await page.dispatchEvent('#segment', 'change');
    await page.fill('#compare', b!.segmentId);
    await page.dispatchEvent('#compare', 'change');
    await page.waitForFunction(() => document.querySelectorAll('.scope').length === 2);
    await loaded(page);
    for (const s of [a!, b!]) {
      const volume = await page.textContent(`[data-scope="${s.segmentId}"] [data-testid="volume"]`);
      expect(volume).toBe(s.counts.count.toLocaleString('en-US'));
      expect(await page.locator(`[data-scope="${s.segmentId}"] .chart svg`).count()).toBe(1);
    }
    // The view is in the URL, so it survives a reload.
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`compare=${b!.segmentId}`);
    await shot(page, 'dashboard-en-compare');

    // The last 7 days by the hour: the figures are the API's for the same window.
    await page.fill('#compare', '');
    await page.dispatchEvent('#compare', 'change');
    await page.selectOption('#period', '7');
    await page.selectOption('#granularity', 'hour');
    await loaded(page);
    const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const week = await p.api<Measured & { totals: Measured }>(
      `/v1/segments/${encodeURIComponent(a!.segmentId)}?from=${from}&granularity=hour`,
    );
    expect(await page.textContent(`[data-scope="${a!.segmentId}"] [data-testid="volume"]`)).toBe(
      week.body.totals.counts.count.toLocaleString('en-US'),
    );
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('period=7');
    // 90 days by the hour is more than the API serves: the page says so and shows days.
    await page.selectOption('#period', '90');
    await loaded(page);
    expect(await page.textContent('#period-note')).toMatch(/up to 60 days/);
    expect(await page.textContent(`[data-scope="${a!.segmentId}"] [data-testid="volume"]`)).toBe(
      a!.counts.count.toLocaleString('en-US'),
    );
    expect(errors).toEqual([]);
  });

  it('speaks Chinese when the browser does, formats for the locale, and remembers the switch', async () => {
    const { page, errors } = await open('zh-CN', DESKTOP);
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('h1')).toBe('vocflow · 客户之声');
    expect(await page.textContent('[data-tile="volume"] .label')).toBe('反馈数');
    expect(await page.textContent('[data-scope="overall"] .legend')).toContain('情感 ×100');
    // Aspects by their Chinese names; dates in Chinese (月/日).
    const aspects = await page
      .locator('[data-scope="overall"] table.drivers button[data-drill]')
      .allTextContents();
    expect(aspects.some((a) => /[\u4e00-\u9fff]/.test(a))).toBe(true);
    expect(await page.locator('[data-scope="overall"] .chart svg').textContent()).toMatch(/\d+月\d+日/);
    // Chinese comments, when the demo sent some, are shown as Chinese text.
    await page.locator('[data-scope="overall"] table.drivers button[data-drill]').first().click();
    await page.waitForSelector('#verbatims:not([hidden])');
    await page.selectOption('#v-language', 'zh');
    await page.waitForSelector('#verbatims[data-loaded="true"]');
    const chinese = await p.api<{ items: Verbatim[] }>(
      `/v1/verbatims?aspect=${await page.locator('[data-scope="overall"] table.drivers button[data-drill]').first().getAttribute('data-drill')}&language=zh&limit=10`,
    );
    expect(await page.locator('#v-list blockquote[lang="zh-CN"]').count()).toBe(chinese.body.items.length);
    await shot(page, 'dashboard-zh-desktop');

    // The switch wins over the browser's language, and is remembered.
    await page.selectOption('#lang', 'en');
    await loaded(page);
    expect(await page.textContent('h1')).toBe('vocflow · Voice of the Customer');
    await page.reload();
    await loaded(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.selectOption('#lang', 'zh-CN');
    await loaded(page);
    expect(errors).toEqual([]);
  });

  it('is usable at phone width in both languages, by keyboard, with visible focus', async () => {
    for (const locale of ['en-US', 'zh-CN']) {
      const { page, errors } = await open(locale, PHONE);
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
      // The first Tab reaches the skip link, which is then visible, with a focus outline.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).toBe('solid');
      // Every form control has a name for screen readers.
      const unnamed = await page.evaluate(() =>
        Array.from(document.querySelectorAll('input, select, button'))
          .filter((el) => !(el as HTMLElement).hidden && (el as HTMLElement).offsetParent !== null)
          .filter((el) => {
            const labelled =
              el.getAttribute('aria-label') ||
              (el.id && document.querySelector(`label[for="${el.id}"]`)) ||
              el.closest('label') ||
              (el.textContent ?? '').trim();
            return !labelled;
          })
          .map((el) => el.id || el.outerHTML.slice(0, 60)),
      );
      expect(unnamed).toEqual([]);
      await shot(page, `dashboard-${locale.slice(0, 2)}-phone`);
      // The customer page fits too.
      await page.locator('#alerts .alert a').first().click();
      await page.waitForSelector('body[data-view="customer"][data-loaded="true"]');
      expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
      await shot(page, `dashboard-${locale.slice(0, 2)}-phone-customer`);
      expect(errors).toEqual([]);
    }
  });

  it('asks for a key when none is stored and none is given', async () => {
    for (const previous of contexts.splice(0)) await previous.close();
    const page = await browser.newPage();
    await page.goto(`${p.apiUrl}/`);
    await page.waitForSelector('#keyform.show', { timeout: 10_000 });
    await page.fill('#keyinput', p.apiKey);
    await page.click('#keyentry button');
    await page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 });
    await page.close();
  });
});
