import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveContent, HOSTILE_DATE, HOSTILE_TITLE, ROOT, startArchiveServer } from './archive-harness.ts';

/**
 * The public archive in a real browser (Debian's chromium via playwright-core, launched as the
 * status page test does). Skipped with one line without /usr/bin/chromium unless REQUIRE_BROWSER=1.
 */

const CHROMIUM = '/usr/bin/chromium';
const RESULTS = path.join(ROOT, 'test-results');
const available = existsSync(CHROMIUM);
const required = process.env['REQUIRE_BROWSER'] === '1';
if (!available && !required) console.info(`[archive-browser] skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

let content: ReturnType<typeof archiveContent>;
let bot: Awaited<ReturnType<typeof startArchiveServer>>;
let browser: Browser | null = null;

beforeAll(async () => {
  if (!available) return;
  content = archiveContent();
  // No PUBLIC_URL: links fall back to the request's own origin, which the browser can open.
  bot = await startArchiveServer(content.contentDir, path.join(content.dir, 'clouds'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(RESULTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bot?.close();
  content?.cleanup();
});

describe('the public archive in headless Chromium at phone width', () => {
  it.runIf(available || required)('index → report → cloud → next, search through the form; no sideways scrolling at 390 px; Noto Sans SC; no script runs', async () => {
    expect(available, `${CHROMIUM} is required (REQUIRE_BROWSER=1)`).toBe(true);
    const context = await browser!.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, javaScriptEnabled: true });
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const noSidewaysScroll = async (): Promise<void> => {
      const [scrollWidth, clientWidth] = await page.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
      expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    };

    expect((await page.goto(`${bot.server.url}/`))?.status()).toBe(200);
    await noSidewaysScroll();
    await Promise.all([page.waitForURL('**/reports/2026-01-03'), page.click('#report-list a[href="/reports/2026-01-03"]')]);
    const report = await bot.library.findByDate('2026-01-03');
    expect(await page.locator('#report-title').innerText()).toBe('Twitter AI 报告 · 2026-01-03');
    expect(await page.locator('#points > li').count()).toBe(10);
    for (const point of report.points) expect(await page.locator('#points').getByText(point.title, { exact: false }).first().isVisible()).toBe(true);
    const cloud = page.locator('img.wordcloud');
    await cloud.scrollIntoViewIfNeeded();
    await expect.poll(() => page.evaluate<number>(`(() => { const i = document.querySelector('img.wordcloud'); return i && i.complete ? i.naturalWidth : 0; })()`), { timeout: 60_000 }).toBe(600);
    const box = await cloud.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    await noSidewaysScroll();
    const ogImage = await page.locator('meta[property="og:image"]').getAttribute('content');
    expect(ogImage).toBe(`${bot.server.url}/reports/2026-01-03/wordcloud.png`);
    const loaded = await page.evaluate<number>(`document.fonts.ready.then(() => [...document.fonts].filter((f) => f.family.includes('Noto Sans SC') && f.status === 'loaded').length)`);
    expect(loaded).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(RESULTS, 'archive-report-390.png'), fullPage: true });

    // The hostile report shows its text as text, and nothing in it runs.
    await Promise.all([page.waitForURL(`**/reports/${HOSTILE_DATE}`), page.click('a[rel="next"]')]);
    expect(await page.locator('#points > li').first().innerText()).toContain(HOSTILE_TITLE);
    expect(await page.locator('#points script, #points img').count()).toBe(0);
    await noSidewaysScroll();

    // The search box in the header: a plain GET form.
    await page.fill('header input[name="q"]', 'AI');
    await Promise.all([page.waitForURL('**/search?q=AI'), page.press('header input[name="q"]', 'Enter')]);
    expect(await page.locator('#search-results > li').count()).toBeGreaterThan(0);
    expect(await page.locator('#search-results mark').count()).toBeGreaterThan(0);
    await noSidewaysScroll();

    // An unknown date names the nearest reports, as links that work.
    expect((await page.goto(`${bot.server.url}/reports/2026-01-07`))?.status()).toBe(404);
    await Promise.all([page.waitForURL('**/reports/2026-01-03'), page.click('a.nearest[href="/reports/2026-01-03"]')]);
    expect(dialogs).toEqual([]);
    expect(violations).toEqual([]);
    await context.close();
  }, 180_000);
});
