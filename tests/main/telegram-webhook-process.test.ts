import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { ROOT_DIR, startBotProcess, type NodeProcess } from '../helpers/node-process.ts';
import { freePort, until } from '../helpers/telegram-webhook-harness.ts';
import { exitWithin } from './bot-process-helpers.ts';

/**
 * `npm start` with TELEGRAM_UPDATES=webhook as a real child process against the fake Telegram:
 * it sets the webhook to PUBLIC_URL/telegram/webhook, answers commands the fake posts there,
 * refuses a wrong secret, ignores a replay, drops an update it cannot read and keeps serving,
 * shows the mode on /readyz, never logs the secret;
 * and without HTTP_PORT it refuses to start with one line.
 */

const SECRET = 'process_webhook_SECRET-424242';
const USER = 7601;

let telegram: FakeTelegram;
let tmp: string;
let env: NodeJS.ProcessEnv;
let bot: NodeProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'webhook-process-'));
  const contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  telegram = await startFakeTelegram();
  telegram.addChat({ id: USER, type: 'private' });
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(configFile, JSON.stringify({ wordcloud: { enabled: false, warmRecent: 0 }, schedule: '0 0 1 1 *', delivery: { maxReportAgeDays: 36500 } }));
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    TELEGRAM_UPDATES: 'webhook',
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    DATABASE_PATH: path.join(tmp, 'data', 'bot.db'),
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
  };
});

afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  await telegram?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm start with TELEGRAM_UPDATES=webhook', () => {
  it('without HTTP_PORT it refuses to start with a configuration problem naming HTTP_PORT', async () => {
    const refused = startBotProcess({ ...env, PUBLIC_URL: 'https://bot.example.com' });
    const exit = await exitWithin(refused, 30_000);
    expect(exit.code).toBe(1);
    expect(refused.stderr().trim().split('\n')).toEqual([
      'ai-digest-bot: invalid configuration:',
      "  - HTTP_PORT: required with TELEGRAM_UPDATES=webhook (Telegram posts updates to PUBLIC_URL/telegram/webhook, served by the bot's HTTP server)",
    ]);
    expect(telegram.calls.some((c) => c.method === 'setWebhook')).toBe(false);
  });

  it('sets the webhook, answers a command posted to it, refuses a wrong secret, ignores a replay, survives an unreadable update, and keeps the secret out of its logs', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    bot = startBotProcess({ ...env, HTTP_PORT: String(port), PUBLIC_URL: base });
    const ready = await until('/readyz 200', async () => {
      const response = await fetch(`${base}/readyz`).catch(() => null);
      return response?.status === 200 ? ((await response.json()) as { components: Record<string, { ready: boolean; detail: string | null }> }) : null;
    }, 90_000);
    expect(ready.components['telegram']).toMatchObject({ ready: true, detail: `webhook ${base}/telegram/webhook` });
    expect(telegram.webhook).toEqual({ url: `${base}/telegram/webhook`, secretToken: SECRET, allowedUpdates: ['message', 'channel_post', 'callback_query', 'inline_query'] });
    expect(telegram.calls.some((c) => c.method === 'getUpdates')).toBe(false);

    const update = telegram.sendText('/latest', { chatId: USER, from: { id: USER } });
    await telegram.waitFor((sent) => sent.some((m) => m.chatId === USER && m.replyMarkup !== null), 30_000);
    await telegram.webhookIdle();
    expect(telegram.webhookDeliveries.filter((d) => d.updateId === update.update_id).map((d) => d.status)).toEqual([200]);

    // A replay of the same update (with the secret) is answered 200 and not acted on.
    expect(await telegram.postToWebhook(update)).toBe(200);
    // Without the secret: 401, whatever the update.
    const forged: Update = { ...update, update_id: update.update_id + 1000 };
    expect(await telegram.postToWebhook(forged, { secretToken: 'guess' })).toBe(401);
    expect(await telegram.postToWebhook(forged, { secretToken: null })).toBe(401);
    // With the secret, an update the bot cannot read (a message without chat): 200 and dropped;
    // the process keeps running and answers the next command (it used to exit 1 here).
    const chatless = { update_id: update.update_id + 2000, message: { message_id: 99, date: 0, from: { id: USER, is_bot: false, first_name: 'U' }, text: '/latest' } } as unknown as Update;
    expect(await telegram.postToWebhook(chatless)).toBe(200);
    // A later command's answer marks the end of anything the replay could have caused.
    telegram.sendText('/help', { chatId: USER, from: { id: USER } });
    await telegram.waitFor((sent) => sent.filter((m) => m.chatId === USER).length >= 2, 30_000);
    await telegram.webhookIdle();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(telegram.sent.filter((m) => m.chatId === USER && m.replyMarkup !== null)).toHaveLength(1);

    bot.child.kill('SIGTERM');
    expect(await bot.exit).toEqual({ code: 0, signal: null });
    // The webhook stays: other instances may still be receiving.
    expect(telegram.webhook?.url).toBe(`${base}/telegram/webhook`);
    expect(bot.stderr()).not.toContain(SECRET);
    expect(bot.stderr()).toContain('"outcome":"duplicate"');
    expect(bot.stderr()).toContain('"outcome":"unauthorized"');
    expect(bot.stderr().split('\n').filter((line) => line.includes('"event":"telegram-update-dropped"'))).toHaveLength(1);
  }, 120_000);
});
