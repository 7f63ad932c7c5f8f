import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportLibrary } from '../../src/report/library.ts';
import type { Report } from '../../src/report/types.ts';
import { startFakeDiscord, type FakeDiscord, type SlashCommandInput } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../helpers/fake-telegram.ts';
import { MANAGER_PERMISSIONS, MEMBER_PERMISSIONS } from '../helpers/fake-discord-harness.ts';
import { ROOT_DIR, runCli, startBot, stopBot, waitForLog, waitUntilServing, type BotProcess } from './bot-process-helpers.ts';

/**
 * The bot as a newcomer runs it: the bot's own entry (compiled, as `npm start` runs it; see botArgs) as a real child
 * process against the fake Telegram and Discord servers, configured only through the environment
 * and a config file, then the `digest` CLI beside it on the same database.
 */

const TG_USER = 7101;
const TG_ADMIN = 7102;
const TG_OWNER = 7103;
const TG_GROUP = -1007100;
const GUILD = '830000000000000001';
const TEXT = '830000000000000010';
const OTHER = '830000000000000011';
const ADDED_SLUG = 'twitter_ai_20260123_20260123';

let telegram: FakeTelegram;
let discord: FakeDiscord;
let tmp: string;
let contentDir: string;
let env: NodeJS.ProcessEnv;
let library: ReportLibrary;
const running: BotProcess[] = [];

/** The message the Discord user finally sees: the direct reply, or the edit of a deferred one. */
async function discordAnswer(input: SlashCommandInput): Promise<{ body: Record<string, unknown>; files: string[]; ephemeral: boolean }> {
  const id = discord.sendSlashCommand(input);
  const response = await discord.waitForInteractionResponse(id, 20_000);
  if (response.type === 4) {
    return { body: response.data!, files: response.files.map((f) => f.name), ephemeral: response.data!['flags'] === 64 };
  }
  const edit = await discord.waitFor(
    () => discord.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'),
    20_000,
    'the deferred reply',
  );
  return { body: edit.body, files: edit.files.map((f) => f.name), ephemeral: false };
}

const telegramTo = (chatId: number) => telegram.sent.filter((m) => m.chatId === chatId);
const plainTextOf = (sent: readonly SentMessage[]) => sent.map((m) => m.plainText ?? '').join('\n');

function expectTitles(text: string, report: Report): void {
  expect(report.points.length).toBeGreaterThanOrEqual(10);
  for (const point of report.points) expect(text).toContain(point.title);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'bot-process-'));
  contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  library = await ReportLibrary.open(contentDir);
  telegram = await startFakeTelegram();
  telegram.addChat({ id: TG_USER, type: 'private' });
  telegram.addChat({ id: TG_OWNER, type: 'private' });
  telegram.addChat({ id: TG_GROUP, type: 'supergroup', title: 'AI 讨论组', admins: [TG_ADMIN] });
  discord = await startFakeDiscord();
  discord.addGuild({
    id: GUILD,
    name: 'AI 读书会',
    channels: [
      { id: TEXT, type: 0, name: 'ai-news' },
      { id: OTHER, type: 0, name: 'general' },
    ],
  });
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      // One word-cloud cache for the whole file: each cloud is drawn once.
      wordcloud: { cacheDir: path.join(tmp, 'wordclouds') },
      // 1 January only: no scheduled post (and so no start-up catch-up) falls inside the test,
      // so every delivery below comes from `digest post`.
      schedule: '0 0 1 1 *',
      owners: { telegram: [TG_OWNER] },
      ownerChat: { telegram: String(TG_OWNER) },
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, maxReportAgeDays: 36500 },
      // The answers below are read as embeds; the V2 layout has its own tests (tests/platforms/discord/components-v2.test.ts).
      discord: { layout: 'embeds' },
    }),
  );
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_GUILD_ID: GUILD,
    DATABASE_PATH: path.join(tmp, 'data', 'bot.db'),
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const bot of running) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(running.map((bot) => bot.exit));
  await telegram?.close();
  await discord?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the bot as a process (npm start)', () => {
  it('answers commands on both platforms, stores subscriptions, and shuts down cleanly on SIGTERM', async () => {
    const bot = startBot(env);
    running.push(bot);
    await waitUntilServing(bot);
    expect(discord.registeredCommands.find((s) => s.scope === GUILD)?.commands.map((c) => c['name'])).toContain('report');

    // The bot draws every report's word cloud in the background at start (newest first); once
    // this day's is drawn, /report carries it.
    const report = await library.findByDate('2026-01-03');
    await waitForLog(bot, `/wordcloud_${report.slug}_`);

    // Telegram: /report in a private chat → the word cloud, then the ten titles.
    telegram.sendText('/report 2026-01-03', { chatId: TG_USER, from: { id: TG_USER } });
    await telegram.waitFor(() => plainTextOf(telegramTo(TG_USER)).includes(report.points.at(-1)!.title), 30_000);
    const toUser = telegramTo(TG_USER);
    expect(toUser[0]).toMatchObject({ method: 'sendPhoto', photo: { name: `wordcloud_${report.slug}.png` } });
    expect(toUser[0]!.photo!.bytes).toBeGreaterThan(1000);
    expectTitles(plainTextOf(toUser), report);

    // Telegram: a group admin subscribes the group.
    telegram.sendText('/subscribe', { chatId: TG_GROUP, from: { id: TG_ADMIN } });
    await telegram.waitFor(() => telegramTo(TG_GROUP).length === 1, 10_000);
    expect(telegramTo(TG_GROUP)[0]!.method).toBe('sendMessage');

    // Discord: /report date:… → an embed with the titles and the word cloud attached.
    const answer = await discordAnswer({
      name: 'report',
      options: { date: '2026-01-03' },
      guildId: GUILD,
      channelId: TEXT,
      member: { userId: '40', permissions: MEMBER_PERMISSIONS },
    });
    expect(answer.ephemeral).toBe(false);
    const embeds = answer.body['embeds'] as { title?: string; description?: string; image?: { url?: string } }[];
    expect(embeds[0]!.title).toContain('2026-01-03');
    expectTitles(embeds.map((e) => e.description ?? '').join('\n'), report);
    // Discord gets the cloud under a name from its attachment alphabet, made from the report's date.
    expect(answer.files).toEqual(['wordcloud-2026-01-03.png']);
    expect(embeds[0]!.image?.url).toBe('attachment://wordcloud-2026-01-03.png');

    // Discord: a member without Manage Channels is refused; a manager subscribes.
    const refused = await discordAnswer({ name: 'subscribe', guildId: GUILD, channelId: OTHER, member: { userId: '41', permissions: MEMBER_PERMISSIONS } });
    expect(refused.ephemeral).toBe(true);
    const accepted = await discordAnswer({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: { userId: '42', permissions: MANAGER_PERMISSIONS } });
    expect(accepted.ephemeral).toBe(false);

    // A report added while the bot runs is found by date without a restart.
    const newest = readFileSync(path.join(contentDir, 'twitter_ai_20260122_20260122.md'), 'utf8');
    writeFileSync(path.join(contentDir, `${ADDED_SLUG}.md`), newest.replaceAll('20260122', '20260123').replaceAll('2026-01-22', '2026-01-23'));
    telegram.sendText('/report 2026-01-23', { chatId: TG_USER, from: { id: TG_USER } });
    await telegram.waitFor(() => telegramTo(TG_USER).some((m) => (m.plainText ?? '').includes('2026-01-23')), 30_000);

    const stopped = await stopBot(bot);
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
    const log = bot.stderr().trimEnd().split('\n').map((line) => JSON.parse(line) as { level: string; event?: string });
    expect(log.filter((entry) => entry.level !== 'info')).toEqual([]);
    expect(log.map((entry) => entry.event)).toContain('shutdown');
    // Tokens never reach the log.
    expect(bot.stderr()).not.toContain(telegram.token);
    expect(bot.stderr()).not.toContain(discord.token);
    console.info(`[bot-process] SIGTERM → exit in ${stopped.ms} ms`);
  }, 120_000);

  it('after a restart on the same database both subscriptions are active, and `digest post` delivers the newest digest exactly once', async () => {
    const bot = startBot(env);
    running.push(bot);
    await waitUntilServing(bot);

    const listed = await runCli(['subs', 'list', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const subs = JSON.parse(listed.stdout) as { platform: string; chatId: string; threadId: string | null; active: boolean }[];
    expect(subs.map(({ platform, chatId, threadId, active }) => ({ platform, chatId, threadId, active })).sort((a, b) => a.platform.localeCompare(b.platform))).toEqual([
      { platform: 'discord', chatId: TEXT, threadId: null, active: true },
      { platform: 'telegram', chatId: String(TG_GROUP), threadId: null, active: true },
    ]);

    const newest = await (await ReportLibrary.open(contentDir)).latest();
    expect(newest?.slug).toBe(ADDED_SLUG);
    const groupBefore = telegramTo(TG_GROUP).length;
    const textBefore = discord.messages.filter((m) => m.channelId === TEXT).length;

    const posted = await runCli(['post'], env);
    expect(posted.code, posted.stderr).toBe(0);
    const toGroup = telegramTo(TG_GROUP).slice(groupBefore);
    expect(toGroup.filter((m) => m.method === 'sendPhoto').map((m) => m.photo?.name)).toEqual([`wordcloud_${ADDED_SLUG}.png`]);
    expectTitles(plainTextOf(toGroup), newest!);
    const toText = discord.messages.filter((m) => m.channelId === TEXT).slice(textBefore);
    expect(toText.flatMap((m) => m.files.map((f) => f.name))).toEqual(['wordcloud-2026-01-23.png']);
    const embeds = toText.flatMap((m) => (m.body['embeds'] ?? []) as { description?: string }[]);
    expectTitles(embeds.map((e) => e.description ?? '').join('\n'), newest!);
    // Nobody else got anything: not the refused channel, not the private chats.
    expect(discord.messages.filter((m) => m.channelId !== TEXT)).toEqual([]);

    const counts = { telegram: telegram.sent.length, discord: discord.messages.length };
    const again = await runCli(['post'], env);
    expect(again.code, again.stderr).toBe(0);
    expect({ telegram: telegram.sent.length, discord: discord.messages.length }).toEqual(counts);

    const stopped = await stopBot(bot);
    expect(stopped.code).toBe(0);
  }, 120_000);
});

describe('one bad gateway event never takes the process down', () => {
  it('a malformed Discord interaction is logged and dropped; both platforms keep answering', async () => {
    const bot = startBot(env);
    running.push(bot);
    await waitUntilServing(bot);
    // No entitlements / authorizing_integration_owners: discord.js throws while building the interaction.
    discord.sendSlashCommand({
      name: 'report',
      options: { date: '2026-01-03' },
      guildId: GUILD,
      channelId: TEXT,
      member: { userId: '50', permissions: MEMBER_PERMISSIONS },
      forge: (payload) => {
        delete payload['entitlements'];
        delete payload['authorizing_integration_owners'];
      },
    });
    await waitForLog(bot, '"event":"discord-event-failed"');

    const answer = await discordAnswer({ name: 'dates', guildId: GUILD, channelId: TEXT, member: { userId: '51', permissions: MEMBER_PERMISSIONS } });
    expect(JSON.stringify(answer.body)).toContain('2026-01-03');
    const before = telegramTo(TG_USER).length;
    telegram.sendText('/dates', { chatId: TG_USER, from: { id: TG_USER } });
    await telegram.waitFor(() => telegramTo(TG_USER).length > before, 30_000);
    expect(bot.child.exitCode).toBeNull();

    const stopped = await stopBot(bot);
    expect({ code: stopped.code, signal: stopped.signal }).toEqual({ code: 0, signal: null });
  }, 120_000);
});

describe('start-up failures are one clear line and exit 1', () => {
  it('a corrupt database file', async () => {
    const dir = mkdtempSync(path.join(tmp, 'corrupt-'));
    const dbPath = path.join(dir, 'bot.db');
    writeFileSync(dbPath, 'this is not a sqlite database, just text that happens to be long enough'.repeat(20));
    const bot = startBot({ ...env, DATABASE_PATH: dbPath });
    running.push(bot);
    const { code } = await bot.exit;
    expect(code).toBe(1);
    const lines = bot.stderr().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ai-digest-bot: database /);
    expect(lines[0]).toContain(dbPath);
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('a bad config key is named', async () => {
    const configFile = path.join(tmp, 'bad-config.json');
    mkdirSync(path.dirname(configFile), { recursive: true });
    writeFileSync(configFile, JSON.stringify({ timezone: 'Mars/Olympus' }));
    const bot = startBot({ ...env, DIGEST_CONFIG: configFile });
    running.push(bot);
    const { code } = await bot.exit;
    expect(code).toBe(1);
    expect(bot.stderr()).toMatch(/^ai-digest-bot: invalid configuration/);
    expect(bot.stderr()).toContain('timezone: not an IANA timezone');
    expect(bot.stderr()).not.toMatch(/\n\s+at /);
  }, 120_000);
});
