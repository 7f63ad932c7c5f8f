import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { createDigestBuilder } from '../../src/digest-builder.ts';
import { createHttpApp, startHttpServer, type RunningHttpServer } from '../../src/http/http-server.ts';
import { silentLogger } from '../../src/log.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { WordcloudService } from '../../src/wordcloud/wordcloud-service.ts';

/**
 * The status page in a real browser: Debian's chromium driven by playwright-core (no browser is
 * ever downloaded). Without /usr/bin/chromium this test is skipped with one line saying why,
 * unless REQUIRE_BROWSER=1 (as .ci/run sets), when it fails instead.
 */

const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.resolve(import.meta.dirname, '../..');
const RESULTS = path.join(ROOT, 'test-results');
const TOKEN = 'browser-test-admin-token-0123456789';
const SEED_DATE = '2026-01-03';
const CHAT = '-1009900';
const available = existsSync(CHROMIUM);
const required = process.env['REQUIRE_BROWSER'] === '1';
if (!available && !required) {
  console.info(`[admin-browser] skipped: ${CHROMIUM} not found (apt-get install -y chromium to run it; REQUIRE_BROWSER=1 makes this a failure)`);
}

let tmp: string;
let server: RunningHttpServer;
let store: SqliteStore;
let images: WordcloudService;
let browser: Browser | null = null;
let library: ReportLibrary;

beforeAll(async () => {
  if (!available) return;
  tmp = mkdtempSync(path.join(tmpdir(), 'admin-browser-'));
  const contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT, 'content'), contentDir, { recursive: true });
  const dbPath = path.join(tmp, 'bot.db');
  const env = { DATABASE_PATH: dbPath, CONTENT_DIR: contentDir };
  // The subscription comes in through the operator CLI, on the same database file.
  let stderr = '';
  const io: CliIo = { stdout: () => undefined, stderr: (t) => void (stderr += t), env, cwd: ROOT };
  expect(await runCli(['subs', 'add', 'telegram', CHAT, '--thread', '42'], io), stderr).toBe(0);

  store = await SqliteStore.open(dbPath);
  // Enough chats for three pages, ids of mixed sign and length (text order is not number order).
  for (let i = 1; i <= 60; i += 1) {
    await store.subscribe({ platform: i % 3 === 0 ? 'discord' : 'telegram', chatId: String(i % 2 === 0 ? i * 1013 : -(1_000_000_000_000 + i)), threadId: null, title: `测试群 ${i}`, subscribedBy: 'cli' });
  }
  library = await ReportLibrary.open(contentDir);
  // A ledger with one delivered and one failed row (long error text), as the phone must show them.
  const seed = await library.findByDate(SEED_DATE);
  const sent = await store.claimDelivery({ slug: seed.slug, destination: { platform: 'telegram', chatId: '2026', threadId: null }, kind: 'scheduled' });
  await store.markDelivered(sent.delivery.id, ['1']);
  const failed = await store.claimDelivery({ slug: seed.slug, destination: { platform: 'telegram', chatId: CHAT, threadId: '42' }, kind: 'scheduled' });
  await store.markFailed(failed.delivery.id, 'Call to \'sendPhoto\' failed! (400: Bad Request: message thread not found; the topic was deleted or the bot cannot see it)');
  images = new WordcloudService({ enabled: true, width: 1200, height: 675, cacheDir: path.join(tmp, 'wordclouds'), imagesDir: null }, silentLogger());
  const digests = createDigestBuilder({ digest: { detailMaxChars: 90, reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html', titlePrefix: 'Twitter AI 报告' } }, images);
  const health = new ServiceHealth();
  health.set('library', true, `${library.entries().length} reports indexed`);
  health.set('telegram', true, 'started');
  const app = createHttpApp({
    health,
    probes: { store: () => store.ping() },
    admin: {
      token: TOKEN,
      store,
      config: { schedule: '0 9 * * *', timezone: 'Asia/Shanghai', discordColor: 0x1d9bf0 },
      library,
      digests,
      health,
      probes: { store: () => store.ping() },
      recentFanouts: () => [],
      // Deactivation needs no sender; a repost here would say sending is not available.
      reposter: null,
    },
  });
  server = await startHttpServer(app, { port: 0, host: '127.0.0.1', logger: silentLogger() });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  mkdirSync(RESULTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await images?.close();
  await store?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the status page in headless Chromium', () => {
  it.runIf(available || required)('logs in with the token, lists the CLI subscription, previews a seed date with ten titles and the word cloud, in Noto Sans SC', async () => {
    expect(available, `${CHROMIUM} is required (REQUIRE_BROWSER=1): apt-get install -y chromium`).toBe(true);
    // Without credentials the browser gets the Basic challenge (a page would show its login prompt).
    const anonymous = await browser!.newContext();
    const refused = await anonymous.request.get(`${server.url}/admin`);
    expect(refused.status()).toBe(401);
    expect(refused.headers()['www-authenticate']).toMatch(/^Basic /);
    await anonymous.close();

    const context = await browser!.newContext({ httpCredentials: { username: 'operator', password: TOKEN }, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const status = await page.goto(`${server.url}/admin?q=${CHAT}`);
    expect(status?.status()).toBe(200);
    const row = page.locator('#subscription-table tr', { hasText: CHAT });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.isVisible()).toBe(true);
    expect(await row.innerText()).toMatch(/telegram[\s\S]*-1009900[\s\S]*42[\s\S]*active[\s\S]*cli/);
    await page.screenshot({ path: path.join(RESULTS, 'admin-status.png'), fullPage: true });

    // The preview through the page's own GET form.
    await page.fill('form[action="/admin/preview"] input[name="date"]', SEED_DATE);
    await Promise.all([page.waitForURL(`**/admin/preview/${SEED_DATE}`), page.click('form[action="/admin/preview"] button')]);
    const report = await library.findByDate(SEED_DATE);
    expect(report.points).toHaveLength(10);
    for (const point of report.points) {
      for (const side of ['#discord-components-preview', '#discord-preview', '#telegram-preview']) {
        const title = page.locator(side).getByText(point.title, { exact: false }).first();
        expect(await title.isVisible(), `${side}: ${point.title}`).toBe(true);
      }
    }
    // The word cloud in the V2 gallery, the embed and the Telegram photo.
    const clouds = page.locator('img.wordcloud');
    expect(await clouds.count()).toBe(3);
    for (const cloud of await clouds.all()) {
      await cloud.scrollIntoViewIfNeeded();
      expect(await cloud.isVisible()).toBe(true);
    }
    // Decoded pictures (not broken-image icons), as wide as the drawn cloud.
    await expect
      .poll(() => page.evaluate<number[]>(`[...document.querySelectorAll('img.wordcloud')].map((img) => img.complete ? img.naturalWidth : 0)`))
      .toEqual([1200, 1200, 1200]);
    // Chinese is drawn with the served Noto Sans SC, not a system font the machine may lack.
    const loaded = await page.evaluate<number>(
      `document.fonts.ready.then(() => [...document.fonts].filter((f) => f.family.includes('Noto Sans SC') && f.status === 'loaded').length)`,
    );
    expect(loaded).toBeGreaterThan(0);
    await page.locator('#discord-preview').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(RESULTS, 'admin-preview.png'), fullPage: true });
    await context.close();
  }, 120_000);

  it.runIf(available || required)('pages and searches with plain GET forms, deactivates through a POST form with its CSRF token, fits a 390 px phone', async () => {
    const context = await browser!.newContext({ httpCredentials: { username: 'operator', password: TOKEN }, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/admin`);
    // Nothing wider than the phone: the page never scrolls sideways.
    // Nor does any table inside it: wide tables turn into labelled cards.
    const overflow = (): Promise<number> =>
      page.evaluate<number>(`Math.max(document.documentElement.scrollWidth - window.innerWidth, ...[...document.querySelectorAll('.scroll')].map((el) => el.scrollWidth - el.clientWidth))`);
    expect(await overflow()).toBeLessThanOrEqual(0);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    const icon = await page.evaluate<number>(`fetch(document.querySelector('link[rel="icon"]').href).then((r) => r.ok ? r.headers.get('content-type').length : 0)`);
    expect(icon).toBeGreaterThan(0);
    expect(await page.locator('#instance').isVisible()).toBe(true);
    // The failed delivery offers its retry button (a POST form with the page's token).
    expect(await page.locator('#ledger-table form[action="/admin/actions/retry"] input[name="csrf"]').count()).toBe(1);
    await page.screenshot({ path: path.join(RESULTS, 'admin-status-phone.png'), fullPage: true });

    // 61 subscriptions, 25 a page: three pages, walked with the pager's links.
    await expect.poll(() => page.locator('#subscription-count').innerText()).toContain('page 1 of 3');
    const chatIds = (): Promise<string[]> => page.locator('#subscription-table tr td:nth-child(2) a').allInnerTexts();
    const firstPage = await chatIds();
    expect(firstPage).toHaveLength(25);
    // Sorted by platform, then chat id as a number (-1000000000059 before -1000000000057 before 2026).
    const platforms = await page.locator('#subscription-table tr td:nth-child(1)').allInnerTexts();
    const rows = firstPage.map((id, i) => ({ platform: platforms[i]!, id: BigInt(id) }));
    const sorted = [...rows].sort((a, b) => a.platform.localeCompare(b.platform) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(rows).toEqual(sorted);
    expect(new Set(platforms).size).toBe(2);
    await Promise.all([page.waitForURL(/page=2/), page.click('nav.pager a[rel="next"]')]);
    expect(await chatIds()).toHaveLength(25);
    expect(await overflow()).toBeLessThanOrEqual(0);

    // The search box, submitted like any form: only the matching chat is listed.
    await page.fill('input[name="q"]', '测试群 14');
    await Promise.all([page.waitForURL(/q=/), page.press('input[name="q"]', 'Enter')]);
    expect(await chatIds()).toEqual(['14182']);
    await expect.poll(() => page.locator('#subscription-count').innerText()).toContain('1 matching');

    // Deactivate it with the row's own POST form; the store has it inactive, reason naming the page.
    await Promise.all([page.waitForURL('**/admin/actions/deactivate'), page.click('#subscription-table form[action="/admin/actions/deactivate"] button')]);
    expect(await page.locator('#action-result').innerText()).toContain('Deactivated telegram 14182');
    expect(await overflow()).toBeLessThanOrEqual(0);
    const after = await store.getSubscription({ platform: 'telegram', chatId: '14182', threadId: null });
    expect(after?.active).toBe(false);
    expect(after?.reason).toMatch(/^unsubscribed by status page \(/);

    // The same form with its token taken out is refused.
    await page.goto(`${server.url}/admin?q=${encodeURIComponent('测试群 16')}`);
    await page.evaluate(`document.querySelector('#subscription-table input[name="csrf"]').value = 'forged.token'`);
    const [refused] = await Promise.all([page.waitForResponse('**/admin/actions/deactivate'), page.click('#subscription-table form[action="/admin/actions/deactivate"] button')]);
    expect(refused.status()).toBe(403);
    expect((await store.getSubscription({ platform: 'telegram', chatId: '16208', threadId: null }))?.active).toBe(true);

    // The preview and a destination's page fit the phone as well.
    for (const url of [`/admin/preview/${SEED_DATE}`, `/admin/destinations/telegram/${CHAT}?thread=42`]) {
      await page.goto(`${server.url}${url}`);
      expect(await overflow(), url).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: path.join(RESULTS, 'admin-destination-phone.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
