import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { postProject, tempRoot } from './post-helpers.ts';

const GUILD = '810000000000000001';
const CH = (n: number) => `8100000000000001${String(n).padStart(2, '0')}`;
const NEWEST = 'twitter_ai_20260122_20260122';

let telegram: FakeTelegram;
let discord: FakeDiscord;
const root = tempRoot('digest-post-');

beforeAll(async () => {
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  discord = await startFakeDiscord({ enforceRateLimits: true });
  discord.addGuild({
    id: GUILD,
    name: 'guild',
    channels: Array.from({ length: 20 }, (_, i) => ({ id: CH(i), type: 0 as const, name: `c${i}` })),
  });
  for (let i = 1; i <= 20; i++) telegram.addChat({ id: -1000 - i, type: 'group', title: `g${i}` });
  telegram.addChat({ id: -900, type: 'group', title: 'owners' });
});
afterAll(async () => {
  await telegram.close();
  await discord.close();
  rmSync(root, { recursive: true, force: true });
});

async function subscribe(dbPath: string, subs: Array<{ platform: 'telegram' | 'discord'; chatId: string }>): Promise<void> {
  const store = await SqliteStore.open(dbPath);
  for (const s of subs) await store.subscribe({ ...s, threadId: null, subscribedBy: 'cli' });
  await store.close();
}

/** stderr without `digest post`'s periodic plain progress lines (`digest post: telegram 3/20 (…)`). */
function withoutProgressLines(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/^digest post: (discord|telegram) \d+\/\d+ \(/.test(line))
    .join('\n');
}

describe('digest post', () => {
  it('delivers the newest report with its image once to every subscription on both platforms; a second run sends nothing', async () => {
    const p = postProject(root, 'once', { telegram, discord });
    await subscribe(p.dbPath, [
      { platform: 'telegram', chatId: '-1001' },
      { platform: 'telegram', chatId: '-1002' },
      { platform: 'discord', chatId: CH(1) },
      { platform: 'discord', chatId: CH(2) },
    ]);
    const first = await p.post();
    // Nothing on stderr but, on a machine slow enough for the run to pass 10 s, a progress line.
    expect(withoutProgressLines(first.stderr)).toBe('');
    expect(first.stdout).toBe(
      'discord: 2 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed\n' +
        'telegram: 2 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed\n',
    );
    expect(first.code).toBe(0);
    for (const chatId of [-1001, -1002]) {
      const photos = telegram.sent.filter((m) => m.chatId === chatId && m.method === 'sendPhoto');
      expect(photos).toHaveLength(1);
    }
    for (const channel of [CH(1), CH(2)]) {
      const posted = discord.messages.filter((m) => m.channelId === channel);
      expect(posted.length).toBeGreaterThan(0);
      expect(posted.flatMap((m) => m.files)).toHaveLength(1);
    }
    const sentBefore = telegram.sent.length;
    const messagesBefore = discord.messages.length;

    const second = await p.post();
    expect(second.stdout).toBe(
      'discord: 0 delivered, 2 skipped (already delivered), 0 deactivated, 0 failed\n' +
        'telegram: 0 delivered, 2 skipped (already delivered), 0 deactivated, 0 failed\n',
    );
    expect(second.code).toBe(0);
    expect(telegram.sent.length).toBe(sentBefore);
    expect(discord.messages.length).toBe(messagesBefore);
  });

  it('rides out 429s and 5xx bursts, deactivates a kicked chat and tells the owners, follows a supergroup migration', async () => {
    const p = postProject(root, 'faults', { telegram, discord }, { ownerChat: { telegram: '-900', discord: null } });
    telegram.addChat({ id: -1009, type: 'group', title: 'kicked', kicked: true });
    telegram.addChat({ id: -1100000000010, type: 'supergroup', title: 'upgraded' });
    telegram.addChat({ id: -1010, type: 'group', title: 'old group', migratedTo: -1100000000010 });
    await subscribe(p.dbPath, [
      { platform: 'telegram', chatId: '-1003' },
      { platform: 'telegram', chatId: '-1009' },
      { platform: 'telegram', chatId: '-1010' },
      { platform: 'discord', chatId: CH(3) },
      { platform: 'discord', chatId: CH(4) },
    ]);
    telegram.failNext('sendPhoto', { chatId: -1003, status: 429, retryAfter: 1 });
    discord.failNext('POST /channels/:id/messages', { channelId: CH(3), status: 502, times: 4 });
    discord.failNext('POST /channels/:id/messages', { channelId: CH(4), status: 429, retryAfter: 0.2 });

    const run = await p.post('--platform', 'telegram');
    expect(run.stdout).toBe('telegram: 2 delivered, 0 skipped (already delivered), 1 deactivated, 0 failed, 1 moved to a supergroup\n');
    expect(run.code).toBe(0);
    expect(telegram.sent.filter((m) => m.chatId === -1003 && m.method === 'sendPhoto')).toHaveLength(1);
    expect(telegram.sent.filter((m) => m.chatId === -1100000000010 && m.method === 'sendPhoto')).toHaveLength(1);
    const notice = telegram.sent.find((m) => m.chatId === -900);
    expect(notice?.plainText ?? notice?.text).toContain('telegram:-1009: deactivated');
    expect(notice?.plainText ?? notice?.text).toContain('kicked');

    const discordRun = await p.post('--platform', 'discord');
    expect(discordRun.stdout).toBe('discord: 2 delivered, 0 skipped (already delivered), 0 deactivated, 0 failed\n');
    for (const channel of [CH(3), CH(4)]) {
      expect(discord.messages.filter((m) => m.channelId === channel).flatMap((m) => m.files)).toHaveLength(1);
    }

    const store = await SqliteStore.open(p.dbPath);
    try {
      expect(await store.getSubscription({ platform: 'telegram', chatId: '-1009', threadId: null })).toMatchObject({
        active: false,
        reason: expect.stringContaining('kicked'),
      });
      expect(await store.getSubscription({ platform: 'telegram', chatId: '-1010', threadId: null })).toBeNull();
      expect((await store.getSubscription({ platform: 'telegram', chatId: '-1100000000010', threadId: null }))?.active).toBe(true);
      expect((await store.getDelivery(NEWEST, { platform: 'telegram', chatId: '-1100000000010', threadId: null }, 'scheduled'))?.status).toBe('delivered');
    } finally {
      await store.close();
    }
    // Deactivated means never again: a later run does not touch the kicked chat.
    const again = await p.post('--platform', 'telegram');
    expect(again.stdout).toBe('telegram: 0 delivered, 2 skipped (already delivered), 0 deactivated, 0 failed\n');
  });

  it('reposts with --repost, recorded as a repost by cli, and fails with exit 1 when a destination keeps failing', async () => {
    const p = postProject(root, 'repost', { discord });
    await subscribe(p.dbPath, [{ platform: 'discord', chatId: CH(5) }, { platform: 'discord', chatId: CH(6) }]);
    expect((await p.post()).code).toBe(0);
    discord.failNext('POST /channels/:id/messages', { channelId: CH(6), status: 500, times: 50 });
    const repost = await p.post('--repost');
    expect(repost.stdout).toBe('discord: 1 delivered, 0 skipped (already delivered), 0 deactivated, 1 failed\n');
    expect(repost.stderr).toContain(`discord:${CH(6)}: failed`);
    expect(repost.code).toBe(1);
    const store = await SqliteStore.open(p.dbPath);
    try {
      expect(await store.getDelivery(NEWEST, { platform: 'discord', chatId: CH(5), threadId: null }, 'repost')).toMatchObject({
        status: 'delivered',
        requestedBy: 'cli',
      });
    } finally {
      await store.close();
    }
  });

  it('refuses --platform without its token, and bad arguments, with exit 1 and a reason', async () => {
    const p = postProject(root, 'usage', { discord });
    const missing = await p.post('--platform', 'telegram');
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('TELEGRAM_BOT_TOKEN is not set');
    expect((await p.post('--platform', 'irc')).code).toBe(1);
    expect((await p.post('--to', 'general')).stderr).toContain('numeric');
  });
});
