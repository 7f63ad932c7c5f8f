import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ReportLibrary } from '../../src/report/library.ts';
import { instanceLockFile } from '../../src/store/instance-lock.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import {
  exitWithin,
  platformStarted,
  ROOT_DIR,
  SCHEDULER_STARTED,
  startBot,
  stopBot,
  waitForLog,
  type BotProcess,
} from './bot-process-helpers.ts';

/**
 * One platform's trouble never stops the other: the bot as a process (`npm start`) against the
 * fake servers, with Discord refusing connections or not answering at start-up, and with tokens
 * the platforms refuse.
 */

const TG_USER = 7201;
const TG_GROUP = -1007200;
const GUILD = '850000000000000001';
const TEXT = '850000000000000010';

let telegram: FakeTelegram;
let discord: FakeDiscord;
let tmp: string;
let contentDir: string;
let configFile: string;
let newestSlug: string;
/** Discord's upload name for it (Discord's attachment alphabet: the report's date, not its slug). */
let newestDiscordName: string;
const running: BotProcess[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'platform-independence-'));
  contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  const newest = (await (await ReportLibrary.open(contentDir)).latest())!;
  newestSlug = newest.slug;
  newestDiscordName = `wordcloud-${newest.dateStart}.png`;
  telegram = await startFakeTelegram();
  telegram.addChat({ id: TG_USER, type: 'private' });
  telegram.addChat({ id: TG_GROUP, type: 'supergroup', title: 'AI 讨论组' });
  discord = await startFakeDiscord();
  discord.addGuild({ id: GUILD, name: 'AI 读书会', channels: [{ id: TEXT, type: 0, name: 'ai-news' }] });
  configFile = path.join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { cacheDir: path.join(tmp, 'wordclouds') },
      // Daily at midnight: the newest report is due for subscriptions made long ago, so the
      // start-up catch-up posts it.
      schedule: '0 0 * * *',
      // Short backoff: a platform that failed to start is retried within a second or so.
      delivery: { maxAttempts: 3, backoffBaseMs: 200, backoffCapMs: 1000, maxReportAgeDays: 36500 },
    }),
  );
});

afterEach(async () => {
  await discord.comeBack();
  telegram.resetRecordings();
});

afterAll(async () => {
  for (const bot of running) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(running.map((bot) => bot.exit));
  await telegram?.close();
  await discord?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A fresh database with a Telegram group and a Discord channel subscribed since January. */
async function project(name: string): Promise<NodeJS.ProcessEnv> {
  const dir = mkdtempSync(path.join(tmp, `${name}-`));
  const databasePath = path.join(dir, 'data', 'bot.db');
  mkdirSync(path.dirname(databasePath), { recursive: true });
  const store = await SqliteStore.open(databasePath, { now: () => new Date('2026-01-01T00:00:00Z') });
  await store.subscribe({ platform: 'telegram', chatId: String(TG_GROUP), threadId: null, subscribedBy: 'cli' });
  await store.subscribe({ platform: 'discord', chatId: TEXT, threadId: null, subscribedBy: 'cli' });
  await store.close();
  return {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_GUILD_ID: GUILD,
    DATABASE_PATH: databasePath,
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
  };
}

const photosTo = (chatId: number) => telegram.sent.filter((m) => m.chatId === chatId && m.method === 'sendPhoto');
const discordFilesTo = (channelId: string) => discord.messages.filter((m) => m.channelId === channelId).flatMap((m) => m.files.map((f) => f.name));

/** The lines on stderr that are not pino JSON: what an operator reads. */
const plainLines = (bot: BotProcess) =>
  bot
    .stderr()
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('{'));

describe.each(['refuse', 'hang'] as const)('Discord %s at start-up', (mode) => {
  it('Telegram still answers and gets its catch-up; Discord is retried in the background and comes up when Discord is back', async () => {
    await discord.goDown(mode);
    const discordBefore = discord.messages.length;
    const bot = startBot(await project(`discord-${mode}`));
    running.push(bot);

    await waitForLog(bot, SCHEDULER_STARTED);
    await waitForLog(bot, platformStarted('telegram'));

    // Telegram answers commands while Discord is down.
    telegram.sendText('/dates', { chatId: TG_USER, from: { id: TG_USER } });
    await telegram.waitFor((sent) => sent.some((m) => m.chatId === TG_USER), 30_000);

    // The catch-up reaches the Telegram group, once.
    await telegram.waitFor(() => photosTo(TG_GROUP).length > 0, 60_000);
    expect(photosTo(TG_GROUP).map((m) => m.photo?.name)).toEqual([`wordcloud_${newestSlug}.png`]);

    // Discord has not started, nothing went to it, and the process is alive.
    if (mode === 'refuse') await waitForLog(bot, '"event":"platform.start-failed","platform":"discord"');
    expect(bot.stderr()).not.toContain(platformStarted('discord'));
    expect(discord.messages.length).toBe(discordBefore);
    expect(bot.child.exitCode).toBeNull();

    // Discord comes back: the bot connects without a restart and catches up there too.
    await discord.comeBack();
    await waitForLog(bot, platformStarted('discord'), 60_000);
    await discord.waitFor(() => discordFilesTo(TEXT).length > 0, 60_000, 'the catch-up on Discord');
    expect(discordFilesTo(TEXT)).toEqual([newestDiscordName]);
    // Slash commands were registered once Discord was reachable.
    expect(discord.registeredCommands.some((set) => set.scope === GUILD)).toBe(true);
    // Telegram's catch-up was not repeated.
    expect(photosTo(TG_GROUP)).toHaveLength(1);

    const stopped = await stopBot(bot);
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
  }, 180_000);
});

describe('a token the platform refuses stops the bot with one clear line', () => {
  it('Telegram 401 (while Discord is not even answering): exit 1, never half-alive', async () => {
    await discord.goDown('hang');
    const refused = '999000:refused-token-must-not-be-shown';
    const env = await project('telegram-401');
    const bot = startBot({ ...env, TELEGRAM_BOT_TOKEN: refused });
    running.push(bot);
    const exit = await exitWithin(bot, 60_000);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    // Its instance lock went with it: the next start (with a good token) is not refused.
    expect(existsSync(instanceLockFile(env['DATABASE_PATH']!))).toBe(false);
    expect(plainLines(bot)).toEqual(['ai-digest-bot: telegram: Telegram refused the token (401 Unauthorized): check TELEGRAM_BOT_TOKEN']);
    expect(bot.stderr()).not.toContain(refused);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
    console.info(`[platform-independence] Telegram 401 → exit 1 in ${exit.ms} ms`);
  }, 90_000);

  it('Discord 401: exit 1', async () => {
    const refused = 'fake.refused-discord-token';
    const bot = startBot({ ...await project('discord-401'), DISCORD_TOKEN: refused });
    running.push(bot);
    const exit = await exitWithin(bot, 60_000);
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    expect(plainLines(bot)).toEqual(['ai-digest-bot: discord: Discord refused the token (401 Unauthorized): check DISCORD_TOKEN']);
    expect(bot.stderr()).not.toContain(refused);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
    console.info(`[platform-independence] Discord 401 → exit 1 in ${exit.ms} ms`);
  }, 90_000);
});
