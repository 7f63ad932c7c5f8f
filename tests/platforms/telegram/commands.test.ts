import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandContext, CommandReply } from '../../../src/commands/types.ts';
import { GROUP_ANONYMOUS_BOT_ID } from '../../helpers/fake-telegram.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const USER = 501;
const ADMIN = 502;
const CREATOR = 503;
const OWNER = 42;
const GROUP = -100200;
const FORUM = -100300;
const CHANNEL = -100400;

describe('Telegram commands through the real grammY client', () => {
  let h: TelegramHarness;
  let nextReply: CommandReply | null = null;
  const router = scriptedRouter((name) => nextReply ?? { kind: 'text', text: `ok ${name}` });

  /** Pushes a command and waits until the router got it and the reply went out. */
  async function command(text: string, opts: Parameters<TelegramHarness['fake']['sendText']>[1], replies = 1) {
    const before = h.fake.sent.length;
    const seen = router.received.length;
    h.fake.sendText(text, opts);
    await h.fake.waitFor((sent) => sent.length >= before + replies);
    expect(router.received.length).toBe(seen + 1);
    return { received: router.received.at(-1)!, replies: h.fake.sent.slice(before) };
  }

  beforeAll(async () => {
    h = await startTelegramHarness({ router, owners: [String(OWNER)] });
    h.fake.addChat({ id: USER, type: 'private', title: 'Ann' });
    h.fake.addChat({ id: OWNER, type: 'private' });
    h.fake.addChat({ id: GROUP, type: 'supergroup', title: 'AI fans', admins: [ADMIN], creator: CREATOR });
    h.fake.addChat({ id: FORUM, type: 'supergroup', title: 'Forum', isForum: true, topics: [7] });
    h.fake.addChat({ id: CHANNEL, type: 'channel', title: 'AI channel' });
    await h.platform.start();
  });
  afterAll(async () => {
    await h.close();
  });
  beforeEach(() => {
    nextReply = null;
  });

  it('publishes the command menu in Chinese by default and in English for en clients', () => {
    expect(h.fake.calls.some((c) => c.method === 'deleteWebhook')).toBe(true);
    const zh = h.fake.commands.get('default|');
    const en = h.fake.commands.get('default|en');
    expect(zh?.map((c) => c.command)).toEqual(['start', 'report', 'subscribe', 'repost']);
    expect(zh?.[1]?.description).toBe('report 命令');
    expect(en?.[1]?.description).toBe('report command');
  });

  it('answers /report with a date in a private chat, in that chat', async () => {
    const { received, replies } = await command('/report 2026-01-03', { chatId: USER });
    expect(received.name).toBe('report');
    expect(received.args).toEqual({ date: '2026-01-03' });
    const ctx = received.context;
    expect(ctx.destination).toEqual({ platform: 'telegram', chatId: String(USER), threadId: null });
    expect(ctx).toMatchObject({ isPrivateChat: true, userId: String(USER), locale: 'zh', isOwner: false, chatTitle: 'Ann' });
    expect(await ctx.canManage(ctx.destination)).toBe(true);
    expect(replies[0]).toMatchObject({ chatId: USER, threadId: null, plainText: 'ok report' });
  });

  it('speaks English to an English client and knows owners', async () => {
    const { received } = await command('/start', { chatId: OWNER, from: { id: OWNER, language_code: 'en-GB' } });
    expect(received.context.locale).toBe('en');
    expect(received.context.isOwner).toBe(true);
  });

  it('reads time and timezone for /subscribe, and all for /repost', async () => {
    expect((await command('/subscribe 08:30 Europe/Berlin', { chatId: USER })).received.args).toEqual({
      time: '08:30',
      tz: 'Europe/Berlin',
    });
    expect((await command('/repost all', { chatId: OWNER })).received.args).toEqual({ all: true });
    expect((await command('/repost 2026-01-03 all', { chatId: OWNER })).received.args).toEqual({ date: '2026-01-03', all: true });
  });

  it('carries the forum topic and answers in it', async () => {
    const { received, replies } = await command('/report', { chatId: FORUM, threadId: 7, from: { id: USER } });
    expect(received.context.destination).toEqual({ platform: 'telegram', chatId: String(FORUM), threadId: '7' });
    expect(received.context.isPrivateChat).toBe(false);
    expect(replies[0]).toMatchObject({ chatId: FORUM, threadId: 7 });
  });

  it('takes commands posted in a channel, addressed with @botname', async () => {
    const { received, replies } = await command(`/report@${h.fake.botInfo.username} 2026-01-03`, { chatId: CHANNEL });
    expect(received.args).toEqual({ date: '2026-01-03' });
    expect(received.context.destination).toEqual({ platform: 'telegram', chatId: String(CHANNEL), threadId: null });
    expect(received.context.userId).toBeNull();
    expect(received.context.chatTitle).toBe('AI channel');
    // Only admins can post in a channel.
    expect(await received.context.canManage(received.context.destination)).toBe(true);
    expect(replies[0]).toMatchObject({ chatId: CHANNEL });
  });

  it('ignores commands addressed to another bot', async () => {
    const seen = router.received.length;
    h.fake.sendText('/report@some_other_bot', { chatId: GROUP, from: { id: USER } });
    await command('/start', { chatId: GROUP, from: { id: USER } }); // processed after the first one
    expect(router.received.length).toBe(seen + 1);
    expect(router.received.at(-1)!.name).toBe('start');
  });

  describe('canManage in a group', () => {
    const contextOf = async (from: { id: number } | 'anonymous'): Promise<CommandContext> => {
      const opts = from === 'anonymous' ? { chatId: GROUP, anonymousAdmin: true } : { chatId: GROUP, from };
      return (await command('/subscribe', opts)).received.context;
    };

    it('allows the creator and administrators, refuses members', async () => {
      const here = { platform: 'telegram' as const, chatId: String(GROUP), threadId: null };
      expect(await (await contextOf({ id: CREATOR })).canManage(here)).toBe(true);
      expect(await (await contextOf({ id: ADMIN })).canManage(here)).toBe(true);
      expect(await (await contextOf({ id: USER })).canManage(here)).toBe(false);
      expect(h.fake.calls.filter((c) => c.method === 'getChatMember').map((c) => c.params.user_id)).toEqual(
        expect.arrayContaining([CREATOR, ADMIN, USER]),
      );
    });

    it('allows an anonymous admin without asking Telegram', async () => {
      const ctx = await contextOf('anonymous');
      expect(ctx.userId).toBeNull();
      const asked = h.fake.calls.filter((c) => c.method === 'getChatMember').length;
      expect(await ctx.canManage(ctx.destination)).toBe(true);
      expect(h.fake.calls.filter((c) => c.method === 'getChatMember')).toHaveLength(asked);
      expect(GROUP_ANONYMOUS_BOT_ID).toBe(1087968824);
    });

    it('refuses a member managing some other chat, and a private user managing a group', async () => {
      const ctx = (await command('/subscribe', { chatId: USER })).received.context;
      expect(await ctx.canManage({ platform: 'telegram', chatId: String(GROUP), threadId: null })).toBe(false);
      expect(await ctx.canManage({ platform: 'discord', chatId: String(USER), threadId: null })).toBe(false);
    });
  });

  it('answers a digest reply with the photo then the points, in the same topic', async () => {
    nextReply = { kind: 'digest', digest: sampleDigest({ imageBytes: 512 }) };
    const { replies } = await command('/report 2026-01-03', { chatId: FORUM, threadId: 7, from: { id: USER } }, 2);
    expect(replies.map((m) => [m.method, m.chatId, m.threadId])).toEqual([
      ['sendPhoto', FORUM, 7],
      ['sendMessage', FORUM, 7],
    ]);
  });
});
