/**
 * Draws docs/status-page.png from the real bot: `src/main.ts` started as its own process (Telegram
 * through the fake API server, Discord left without a token), a few subscriptions and one
 * `digest post` in its database, the page taken by headless Chromium at 1100 px.
 *
 *   node --import tsx bench/status-page-screenshot.ts [out.png]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { runCli } from '../src/cli/main.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'docs', 'status-page.png'));
const TOKEN = 'status-page-screenshot-token-0123456789';
const tmp = mkdtempSync(path.join(tmpdir(), 'status-shot-'));
const telegram = await startFakeTelegram({ enforceRateLimits: false });
// Two reachable chats (one a forum with topic 7), one the bot was kicked from, one unknown.
telegram.addChat({ id: -1001234567890, type: 'supergroup', title: 'AI 读书会', isForum: true, topics: [7] });
telegram.addChat({ id: -1001112223334, type: 'supergroup', title: 'Old group', kicked: true });
const configFile = path.join(tmp, 'config.json');
writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds') } }));
const env: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: telegram.apiRoot,
  DATABASE_PATH: path.join(tmp, 'bot.db'),
  CONTENT_DIR: path.join(ROOT, 'content'),
  DIGEST_CONFIG: configFile,
  TIMEZONE: 'Asia/Shanghai',
};
const io = { stdout: () => undefined, stderr: (text: string) => void process.stderr.write(text), env, cwd: tmp };
for (const args of [
  ['subs', 'add', 'telegram', '-1001234567890', '--thread', '7'],
  ['subs', 'add', 'telegram', '-1001112223334'],
  ['subs', 'add', 'telegram', '-100555'],
  ['subs', 'add', 'discord', '1180000000000000010'],
]) {
  await runCli(args, io);
}
await runCli(['post', '2026-01-03'], io);

const port = 20_000 + Math.floor(Math.random() * 20_000);
const bot = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'src', 'main.ts')], {
  cwd: tmp,
  env: { ...process.env, ...env, HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn' },
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
  const context = await browser.newContext({ httpCredentials: { username: 'operator', password: TOKEN }, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/admin`);
  await page.evaluate('document.fonts.ready');
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
  console.info(`wrote ${out}`);
} finally {
  bot.kill('SIGTERM');
  await new Promise((resolve) => bot.once('exit', resolve));
  await telegram.close();
  rmSync(tmp, { recursive: true, force: true });
}
