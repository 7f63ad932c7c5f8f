/**
 * Draws docs/status-page.png from the real bot: `src/main.ts` started as its own process (Telegram
 * through the fake API server, Discord left without a token), a few subscriptions and one
 * `digest post` in its database, the page taken by headless Chromium at 1100 px.
 *
 *   node --import tsx bench/status-page-screenshot.ts [out.png]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../src/cli/main.ts';
import { startFakeTelegram } from '../tests/helpers/fake-telegram.ts';
import { startStatusPageBot, withStatusPage } from './status-page-bot.ts';

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

const bot = await startStatusPageBot(tmp, env, TOKEN);
try {
  await withStatusPage(`${bot.base}/admin`, TOKEN, 1100, (page) => page.screenshot({ path: out, fullPage: true }).then(() => undefined));
  console.info(`wrote ${out}`);
} finally {
  await bot.stop();
  await telegram.close();
  rmSync(tmp, { recursive: true, force: true });
}
