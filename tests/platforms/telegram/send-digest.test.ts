import { HttpError } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PlatformStartError, type Destination } from '../../../src/platforms/platform.ts';
import { TelegramPlatform } from '../../../src/platforms/telegram/telegram-platform.ts';
import { silentLogger } from '../../../src/log.ts';
import { TELEGRAM_LIMITS } from '../../../src/render/limits.ts';
import { startFakeTelegram } from '../../helpers/fake-telegram.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';
import { sendError } from '../../helpers/send-error.ts';

const PRIVATE = 1001;
const GROUP = -2002;
const FORUM = -1003003;
const CHANNEL = -1004004;

const to = (chatId: number, threadId: number | null = null): Destination => ({
  platform: 'telegram',
  chatId: String(chatId),
  threadId: threadId === null ? null : String(threadId),
});

describe('TelegramPlatform.sendDigest', () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    h = await startTelegramHarness();
    h.fake.addChat({ id: PRIVATE, type: 'private' });
    h.fake.addChat({ id: GROUP, type: 'group', title: 'AI group' });
    h.fake.addChat({ id: FORUM, type: 'supergroup', isForum: true, topics: [7, 9] });
    h.fake.addChat({ id: CHANNEL, type: 'channel', title: 'AI channel' });
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    h.fake.resetRecordings();
  });

  it('posts the word cloud, then the ten points as HTML the fake accepts', async () => {
    const digest = sampleDigest({ imageBytes: 2048 });
    const result = await h.platform.sendDigest(to(PRIVATE), digest, 'k1');
    const sent = h.fake.sent;
    expect(sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(sent[0]).toMatchObject({ chatId: PRIVATE, threadId: null, photo: { name: digest.image!.name, bytes: 2048 } });
    expect(sent[0]!.plainText).toContain('AI <进展> & 动态');
    for (let i = 1; i <= 10; i += 1) expect(sent[1]!.plainText).toContain(`要点 ${i} <b>`);
    expect(result).toEqual({ messageIds: sent.map((m) => String(m.messageId)), imageDropped: false });
  });

  it.each([
    ['a group', GROUP, null],
    ['a channel', CHANNEL, null],
    ['a forum topic', FORUM, 9],
  ])('posts to %s with the right chat_id and message_thread_id', async (_label, chatId, threadId) => {
    await h.platform.sendDigest(to(chatId, threadId), sampleDigest(), 'k');
    expect(h.fake.sent).toHaveLength(1);
    expect(h.fake.sent[0]).toMatchObject({ method: 'sendMessage', chatId, threadId, parseMode: 'HTML' });
    const thread = h.fake.calls.find((c) => c.method === 'sendMessage')?.params.message_thread_id;
    expect(thread).toBe(threadId ?? undefined);
  });

  it('reports a blocked chat as gone, with Telegram\'s description', async () => {
    h.fake.addChat({ id: 1010, type: 'private', blocked: true });
    const error = await sendError(h.platform.sendDigest(to(1010), sampleDigest(), 'k'));
    expect(error.kind).toBe('gone');
    expect(error.details.platformCode).toBe(403);
    expect(error.message).toContain('bot was blocked by the user');
  });

  it('reports an unknown chat as gone', async () => {
    const error = await sendError(h.platform.sendDigest(to(-999999), sampleDigest(), 'k'));
    expect(error.kind).toBe('gone');
  });

  it('reports a group upgraded to a supergroup as migrated, with the new id', async () => {
    h.fake.addChat({ id: -3030, type: 'group', migratedTo: -1003030 });
    const error = await sendError(h.platform.sendDigest(to(-3030), sampleDigest(), 'k'));
    expect(error.kind).toBe('migrated');
    expect(error.details.migrateToChatId).toBe('-1003030');
  });

  it('sends the digest as text when Telegram refuses the photo', async () => {
    h.fake.failNext('sendPhoto', { status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' });
    const result = await h.platform.sendDigest(to(PRIVATE), sampleDigest({ imageBytes: 100 }), 'k');
    expect(result.imageDropped).toBe(true);
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendMessage']);
    // Without the picture the headline moves into the first message instead of being lost.
    expect(h.fake.sent[0]!.plainText).toContain('AI <进展> & 动态');
    expect(result.messageIds).toEqual([String(h.fake.sent[0]!.messageId)]);
  });

  it('never uploads a picture over the photo limit', async () => {
    const result = await h.platform.sendDigest(to(PRIVATE), sampleDigest({ imageBytes: TELEGRAM_LIMITS.photoBytes + 1 }), 'k');
    expect(result.imageDropped).toBe(true);
    expect(h.fake.calls.some((c) => c.method === 'sendPhoto')).toBe(false);
    expect(h.fake.sent).toHaveLength(1);
  });

  it('retries a 429 on the message after the photo in place, without repeating the photo', async () => {
    h.fake.failNext('sendMessage', { chatId: PRIVATE, status: 429, retryAfter: 1 });
    const result = await h.platform.sendDigest(to(PRIVATE), sampleDigest({ imageBytes: 100 }), 'k');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(h.fake.calls.filter((c) => c.method === 'sendPhoto')).toHaveLength(1);
    expect(h.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 200]);
    expect(result.imageDropped).toBe(false);
  });

  it('rides out a burst of 5xx answers and a proxy error page', async () => {
    h.fake.failNext('sendMessage', { status: 502, times: 2 });
    h.fake.failNext('sendMessage', { status: 502, rawBody: '<html>502 Bad Gateway</html>' });
    await h.platform.sendDigest(to(GROUP), sampleDigest(), 'k');
    expect(h.fake.sent).toHaveLength(1);
    expect(h.fake.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([502, 502, 502, 200]);
  });

  it('gives up on lasting 5xx as transient; a resend with the same key sends only what is missing', async () => {
    const digest = sampleDigest({ imageBytes: 100 });
    h.fake.failNext('sendMessage', { status: 500, times: 4 });
    const error = await sendError(h.platform.sendDigest(to(PRIVATE), digest, 'resume-key'));
    expect(error.kind).toBe('transient');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto']);

    // Delivery retries the digest: the photo is not posted again.
    const result = await h.platform.sendDigest(to(PRIVATE), digest, 'resume-key');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    expect(result.messageIds).toEqual(h.fake.sent.map((m) => String(m.messageId)));
    // Done: the same key later (a deliberate repost) sends the whole digest again.
    await h.platform.sendDigest(to(PRIVATE), digest, 'resume-key');
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage', 'sendPhoto', 'sendMessage']);
  });

  it('hands a long 429 back to delivery as rate-limited with retry_after', async () => {
    // (the pacer then rests this chat for those 120 s, so no later test may send to it)
    h.fake.addChat({ id: -4040, type: 'group' });
    h.fake.failNext('sendMessage', { chatId: -4040, status: 429, retryAfter: 120 });
    const error = await sendError(h.platform.sendDigest(to(-4040), sampleDigest(), 'k'));
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBe(120_000);
  });

  it('rejects a refusal that is neither the chat nor the picture', async () => {
    h.fake.failNext('sendMessage', { chatId: CHANNEL, status: 400, description: 'Bad Request: something odd' });
    const error = await sendError(h.platform.sendDigest(to(CHANNEL), sampleDigest(), 'k'));
    expect(error.kind).toBe('rejected');
  });

  it('sends a notice as escaped text', async () => {
    await h.platform.sendNotice(to(PRIVATE), 'failed: <b>a & b</b>');
    expect(h.fake.sent[0]).toMatchObject({ parseMode: 'HTML', plainText: 'failed: <b>a & b</b>' });
  });
});

describe('TelegramPlatform network failures', () => {
  it('refuses to start with a token Telegram rejects, without showing it', async () => {
    const fake = await startFakeTelegram();
    const token = '777:WRONG-token-must-stay-secret';
    const platform = new TelegramPlatform({ token, apiRoot: fake.apiRoot, router: scriptedRouter(), logger: silentLogger(), owners: [] });
    try {
      const error = await platform.start().then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error).toBeInstanceOf(PlatformStartError);
      expect(error?.message).toMatch(/^telegram: Telegram refused the token \(401 Unauthorized\): check TELEGRAM_BOT_TOKEN$/);
      expect((error as PlatformStartError).permanent).toBe(true);
      expect(error?.message).not.toContain(token);
    } finally {
      await platform.stop();
      await fake.close();
    }
  });

  it('an unreachable Telegram fails the start attempt as transient (the bot retries it in the background), without the token', async () => {
    const token = '556:unreachable-secret';
    const platform = new TelegramPlatform({
      token,
      apiRoot: 'http://127.0.0.1:1',
      router: scriptedRouter(),
      logger: silentLogger(),
      owners: [],
      startTimeoutMs: 100,
    });
    const error = await platform.start().then(
      () => null,
      (e: unknown) => e as PlatformStartError,
    );
    expect(error).toBeInstanceOf(PlatformStartError);
    expect(error?.permanent).toBe(false);
    expect(error?.message).toMatch(/^telegram: cannot reach Telegram/);
    expect(error?.message).not.toContain(token);
    await platform.stop();
  });

  it('a Telegram that does not answer fails the start attempt as transient after startTimeoutMs, and a later attempt starts', async () => {
    const fake = await startFakeTelegram();
    fake.hang();
    const platform = new TelegramPlatform({ token: fake.token, apiRoot: fake.apiRoot, router: scriptedRouter(), logger: silentLogger(), owners: [], startTimeoutMs: 300 });
    try {
      const error = await platform.start().then(
        () => null,
        (e: unknown) => e as PlatformStartError,
      );
      expect(error?.permanent).toBe(false);
      fake.resume();
      await platform.start();
      expect(fake.calls.map((c) => c.method)).toContain('setMyCommands');
    } finally {
      await platform.stop();
      await fake.close();
    }
  });

  it('reports an unreachable API as transient and never shows the token', async () => {
    const token = '555:SECRET-token-should-not-leak';
    const platform = new TelegramPlatform({
      token,
      apiRoot: 'http://127.0.0.1:1', // nothing listens on port 1
      router: scriptedRouter(),
      logger: silentLogger(),
      owners: [],
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      pacing: { perChatIntervalMs: 0 },
    });
    const error = await sendError(platform.sendNotice(to(PRIVATE), 'hi'));
    expect(error.kind).toBe('transient');
    expect(error.cause).toBeInstanceOf(HttpError);
    const everything = [error.message, error.stack, (error.cause as HttpError).message, String((error.cause as HttpError).error)];
    expect(everything.join('\n')).not.toContain(token);
    expect(String((error.cause as HttpError).error)).toContain('[redacted]');
  });
});
