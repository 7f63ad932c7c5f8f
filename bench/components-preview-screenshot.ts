/**
 * Draws docs/discord-components-preview.png: the status page's preview of a digest as a Components
 * V2 message (the real bot, `src/main.ts`, as its own process; Telegram through the fake API
 * server), the preview section taken by headless Chromium.
 *
 *   node --import tsx bench/components-preview-screenshot.ts [DATE] [out.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const date = process.argv[2] ?? '2026-01-03';
const out = path.resolve(process.argv[3] ?? path.join(ROOT, 'docs', 'discord-components-preview.png'));
const TOKEN = 'components-preview-screenshot-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'v2-shot-'));
const telegram = await startFakeTelegram({ enforceRateLimits: false });
const configFile = path.join(tmp, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds') }, digest: { reportUrlTemplate: 'https://example.com/{yyyy}/{mm}/{dd}/{slug}.html' } }),
);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const bot = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')], {
  cwd: tmp,
  env: {
    ...process.env,
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_PATH: path.join(tmp, 'bot.db'),
    CONTENT_DIR: path.join(ROOT, 'content'),
    DIGEST_CONFIG: configFile,
    TIMEZONE: 'Asia/Shanghai',
    HTTP_PORT: String(port),
    HTTP_HOST: '127.0.0.1',
    ADMIN_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (i > 120) throw new Error('the bot did not get ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ httpCredentials: { username: 'operator', password: TOKEN }, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/admin/preview/${date}`);
  await page.evaluate('document.fonts.ready');
  await page.locator('#discord-components-preview').screenshot({ path: out });
  await browser.close();
  console.info(`wrote ${out}`);
} finally {
  bot.kill('SIGTERM');
  await new Promise((resolve) => bot.once('exit', resolve));
  await telegram.close();
  rmSync(tmp, { recursive: true, force: true });
}
