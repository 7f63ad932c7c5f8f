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
  library = await ReportLibrary.open(contentDir);
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
    const status = await page.goto(`${server.url}/admin`);
    expect(status?.status()).toBe(200);
    const row = page.locator('#subscription-table tr', { hasText: CHAT });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.isVisible()).toBe(true);
    expect(await row.innerText()).toMatch(/telegram[\s\S]*-1009900[\s\S]*42[\s\S]*active[\s\S]*cli/);
    await page.screenshot({ path: path.join(RESULTS, 'admin-status.png'), fullPage: true });

    // The preview through the page's own GET form.
    await page.fill('input[name="date"]', SEED_DATE);
    await Promise.all([page.waitForURL(`**/admin/preview/${SEED_DATE}`), page.click('form[action="/admin/preview"] button')]);
    const report = await library.findByDate(SEED_DATE);
    expect(report.points).toHaveLength(10);
    for (const point of report.points) {
      for (const side of ['#discord-preview', '#telegram-preview']) {
        const title = page.locator(side).getByText(point.title, { exact: false }).first();
        expect(await title.isVisible(), `${side}: ${point.title}`).toBe(true);
      }
    }
    const clouds = page.locator('img.wordcloud');
    expect(await clouds.count()).toBe(2);
    for (const cloud of await clouds.all()) {
      await cloud.scrollIntoViewIfNeeded();
      expect(await cloud.isVisible()).toBe(true);
    }
    // Decoded pictures (not broken-image icons), as wide as the drawn cloud.
    await expect
      .poll(() => page.evaluate<number[]>(`[...document.querySelectorAll('img.wordcloud')].map((img) => img.complete ? img.naturalWidth : 0)`))
      .toEqual([1200, 1200]);
    // Chinese is drawn with the served Noto Sans SC, not a system font the machine may lack.
    const loaded = await page.evaluate<number>(
      `document.fonts.ready.then(() => [...document.fonts].filter((f) => f.family.includes('Noto Sans SC') && f.status === 'loaded').length)`,
    );
    expect(loaded).toBeGreaterThan(0);
    await page.locator('#discord-preview').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(RESULTS, 'admin-preview.png'), fullPage: true });
    await context.close();
  }, 120_000);
});
