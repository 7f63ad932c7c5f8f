import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, tempRoot } from './post-helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/digest.mjs');
const GUILD = '840000000000000001';
const CHANNEL = '840000000000000101';
const GROUP = -2001;
/** How long the Discord post may take before the test calls it held up (a deadline, not a speed figure). */
const DEADLINE_MS = 40_000;

let telegram: FakeTelegram;
let discord: FakeDiscord;
const root = tempRoot('digest-post-lock-');

beforeAll(async () => {
  telegram = await startFakeTelegram();
  discord = await startFakeDiscord();
  discord.addGuild({ id: GUILD, name: 'guild', channels: [{ id: CHANNEL, type: 0, name: 'news' }] });
  telegram.addChat({ id: GROUP, type: 'group', title: 'g' });
});
afterAll(async () => {
  telegram.resume();
  await telegram.close();
  await discord.close();
  rmSync(root, { recursive: true, force: true });
});

/** `digest post …` as its own process (the lock is between processes), async so the fakes keep answering. */
function postInChild(args: string[], env: NodeJS.ProcessEnv, cwd: string): { exit: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, [BIN, 'post', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { exit, output: () => output };
}

describe('the fan-out lock is per platform', () => {
  it('Telegram not answering in the middle of a fan-out does not hold up `digest post --platform discord` in another process', async () => {
    const p = postProject(root, 'lock', { telegram, discord });
    const store = await SqliteStore.open(p.dbPath);
    await store.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
    await store.subscribe({ platform: 'discord', chatId: CHANNEL, threadId: null, subscribedBy: 'cli' });
    await store.close();

    // A Telegram fan-out that gets stuck: the sends are accepted by the socket and never answered.
    telegram.hang(['sendPhoto', 'sendMessage']);
    let telegramDone = false;
    const telegramPost = p.post('--platform', 'telegram').finally(() => (telegramDone = true));
    const stuckSince = Date.now();
    while (telegram.held === 0) {
      if (Date.now() - stuckSince > 30_000) throw new Error('the Telegram fan-out never reached Telegram');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    // Meanwhile an operator posts to Discord from another process on the same database.
    const discordPost = postInChild(['--platform', 'discord'], p.env, p.dir);
    const code = await Promise.race([discordPost.exit, new Promise<'held up'>((resolve) => setTimeout(() => resolve('held up'), DEADLINE_MS))]);
    const telegramStillStuck = !telegramDone && telegram.held > 0;

    // Telegram answers again: its fan-out completes, nothing lost.
    telegram.resume();
    const telegramResult = await telegramPost;
    await discordPost.exit;

    expect(code, discordPost.output()).toBe(0);
    expect(discordPost.output()).toContain('discord: 1 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed');
    expect(discord.messages.filter((m) => m.channelId === CHANNEL).flatMap((m) => m.files.map((f) => f.name))).toEqual(['wordcloud-2026-01-22.png']);
    // The Discord post finished while the Telegram fan-out was still waiting for Telegram.
    expect(telegramStillStuck).toBe(true);
    expect(telegramResult.stdout).toContain('telegram: 1 delivered');
    expect(telegram.sent.filter((m) => m.chatId === GROUP && m.method === 'sendPhoto')).toHaveLength(1);
  }, 120_000);
});
