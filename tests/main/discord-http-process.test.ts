import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { MANAGER_PERMISSIONS } from '../helpers/fake-discord-harness.ts';
import { ROOT_DIR, startBotProcess, type NodeProcess } from '../helpers/node-process.ts';
import { until } from '../helpers/until.ts';

/**
 * `npm start` with DISCORD_INTERACTIONS=http as a real child process: no gateway connection,
 * commands arrive signed at its HTTP server, and the scheduled delivery (the start-up catch-up of
 * a subscription made long ago) still reaches the channel through REST. Without HTTP_PORT it
 * refuses to start with one line.
 */

const GUILD = '850000000000000001';
const TEXT = '850000000000000010';
const OTHER = '850000000000000011';

let discord: FakeDiscord;
let tmp: string;
let env: NodeJS.ProcessEnv;
const running: NodeProcess[] = [];


beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'discord-http-process-'));
  const contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  discord = await startFakeDiscord();
  discord.addGuild({ id: GUILD, name: 'AI 读书会', channels: [{ id: TEXT, type: 0, name: 'ai-news' }, { id: OTHER, type: 0, name: 'general' }] });
  const databasePath = path.join(tmp, 'data', 'bot.db');
  mkdirSync(path.dirname(databasePath), { recursive: true });
  // Subscribed since January: the newest report is due, so the start-up catch-up posts it.
  const store = await SqliteStore.open(databasePath, { now: () => new Date('2026-01-01T00:00:00Z') });
  await store.subscribe({ platform: 'discord', chatId: TEXT, threadId: null, subscribedBy: 'cli' });
  await store.close();
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 1 }, schedule: '0 0 * * *', delivery: { maxReportAgeDays: 36500 } }));
  env = {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_BASE: discord.apiBase,
    DISCORD_GUILD_ID: GUILD,
    DISCORD_INTERACTIONS: 'http',
    DISCORD_PUBLIC_KEY: discord.publicKey,
    DATABASE_PATH: databasePath,
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
  };
});

afterAll(async () => {
  for (const bot of running) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(running.map((bot) => bot.exit));
  await discord?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm start with DISCORD_INTERACTIONS=http', () => {
  it('without HTTP_PORT it refuses to start with a configuration problem naming HTTP_PORT', async () => {
    const { HTTP_PORT: _port, ...withoutPort } = env;
    const bot = startBotProcess(withoutPort);
    running.push(bot);
    const exit = await bot.exit;
    expect(exit.code).toBe(1);
    const lines = bot.stderr().trim().split('\n').filter((line) => !line.startsWith('{'));
    expect(lines).toEqual(['ai-digest-bot: invalid configuration:', expect.stringMatching(/^ {2}- HTTP_PORT: required with DISCORD_INTERACTIONS=http/)]);
    expect(discord.calls).toEqual([]);
  });

  it('opens no gateway connection, delivers the scheduled digest through REST, answers signed commands at /discord/interactions; SIGTERM exits 0', async () => {
    const bot = startBotProcess(env);
    running.push(bot);
    const port = await until('the http.listening log line', () =>
      bot.stderr().split('\n').map((line) => /"event":"http\.listening".*"port":(\d+)/.exec(line)?.[1]).find(Boolean),
    );
    discord.useInteractionsEndpoint(`http://127.0.0.1:${port}/discord/interactions`);
    await until('discord started', () => bot.stderr().includes('"event":"platform.started","platform":"discord"'));

    // Scheduled delivery (the start-up catch-up) reaches the subscribed channel, word cloud and all.
    await discord.waitFor(() => discord.messages.some((m) => m.channelId === TEXT), 60_000, 'the catch-up in the channel');
    expect(discord.messages.filter((m) => m.channelId === TEXT)[0]!.files.length).toBe(1);

    // A command over HTTP: a manager subscribes another channel.
    const id = discord.sendSlashCommand({ name: 'subscribe', guildId: GUILD, channelId: OTHER, member: { userId: '31', permissions: MANAGER_PERMISSIONS } });
    const response = await discord.waitForInteractionResponse(id, 10_000);
    expect(response.type).toBe(4);
    expect(response.data!['flags']).toBeUndefined();
    expect(discord.httpDeliveries.find((d) => d.interactionId === id)).toMatchObject({ status: 200, outcome: 'answered' });

    // A forged request is refused.
    const forged = await discord.postSigned(JSON.stringify({ id: '1', application_id: discord.applicationId, type: 1, token: 't', version: 1 }), { wrongKey: true });
    expect(forged.status).toBe(401);

    expect(discord.gatewayConnectionsOpened).toBe(0);
    expect(discord.calls.some((c) => c.path === '/gateway/bot')).toBe(false);

    bot.child.kill('SIGTERM');
    expect(await bot.exit).toEqual({ code: 0, signal: null });
    const store = await SqliteStore.open(env['DATABASE_PATH']!);
    try {
      expect((await store.listSubscriptions({ platform: 'discord' })).map((s) => s.chatId).sort()).toEqual([TEXT, OTHER].sort());
    } finally {
      await store.close();
    }
  });
});
