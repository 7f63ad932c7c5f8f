/**
 * Draws docs/discord-components-preview.png: the status page's preview of a digest as a Components
 * V2 message (the real bot, `src/main.ts`, as its own process; Telegram through the fake API
 * server), the preview section taken by headless Chromium.
 *
 *   node --import tsx bench/components-preview-screenshot.ts [DATE] [out.png]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { startStatusPageBot, withStatusPage } from './status-page-bot.ts';

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
const env: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: telegram.token,
  TELEGRAM_API_ROOT: telegram.apiRoot,
  DATABASE_PATH: path.join(tmp, 'bot.db'),
  CONTENT_DIR: path.join(ROOT, 'content'),
  DIGEST_CONFIG: configFile,
  TIMEZONE: 'Asia/Shanghai',
};
const bot = await startStatusPageBot(tmp, env, TOKEN);
try {
  await withStatusPage(`${bot.base}/admin/preview/${date}`, TOKEN, 1400, (page) => page.locator('#discord-components-preview').screenshot({ path: out }).then(() => undefined));
  console.info(`wrote ${out}`);
} finally {
  await bot.stop();
  await telegram.close();
  rmSync(tmp, { recursive: true, force: true });
}
