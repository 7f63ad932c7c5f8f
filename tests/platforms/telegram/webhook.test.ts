import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { TelegramPlatform } from '../../../src/platforms/telegram/telegram-platform.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../../helpers/fake-telegram.ts';
import { startWebhookInstance, until, WEBHOOK_SECRET, webhookTestRouter, type WebhookInstance } from '../../helpers/telegram-webhook-harness.ts';

const USER = 7401;
const OTHER_USER = 7402;
const GROUP = -1007400;

/**
 * Telegram in webhook mode, end to end: the fake Bot API posts updates (with the secret header,
 * resending what gets no 2xx) to the bot's real HTTP server; the real grammY adapter and the real
 * command router answer through the fake.
 */
describe('Telegram over a webhook', () => {
  let fake: FakeTelegram;
  let store: SqliteStore;
  let router: CommandRouter;
  let bot: WebhookInstance;

  beforeAll(async () => {
    fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    fake.addChat({ id: GROUP, type: 'supergroup', title: 'AI 讨论组' });
    fake.webhookOptions.retryDelayMs = 10;
    store = await SqliteStore.open(':memory:');
    router = await webhookTestRouter(store);
    bot = await startWebhookInstance({ fake, store, router });
  });

  afterAll(async () => {
    await bot.close();
    await fake.close();
    await store.close();
  });

  /** Sends a text as a user (delivered by the fake to the webhook) and waits for the reply carrying a keyboard or any reply. */
  async function command(text: string, chatId = USER): Promise<SentMessage[]> {
    const before = fake.sent.length;
    const update = fake.sendText(text, { chatId, from: { id: USER } });
    await fake.waitFor((all) => all.slice(before).some((m) => m.method === 'sendMessage'));
    await fake.webhookIdle();
    expect(fake.webhookDeliveries.filter((d) => d.updateId === update.update_id).map((d) => d.status)).toEqual([200]);
    return fake.sent.slice(before);
  }

  it('an update posted before start() set the webhook gets 503 and is not claimed, so Telegram resends it later', async () => {
    const early = fake.sendText('/latest', { chatId: USER, from: { id: USER } });
    // No webhook yet: the update waits at Telegram. Posted directly, the instance refuses it for now.
    expect(await fake.postToWebhook(early, { url: bot.endpoint, secretToken: WEBHOOK_SECRET })).toBe(503);
    expect(fake.sent).toHaveLength(0);
    await bot.start();
    // setWebhook moved the waiting update to the webhook: it is answered now, once.
    await fake.waitFor((all) => all.some((m) => m.method === 'sendMessage' && m.chatId === USER));
    await fake.webhookIdle();
    expect(await store.claimUpdate('telegram', `${fake.botInfo.id}:${early.update_id}`)).toBe(false);
  });

  it('start() calls setWebhook with the URL, the secret and the update types the bot handles, and never polls', async () => {
    const set = fake.calls.filter((c) => c.method === 'setWebhook');
    expect(set).toHaveLength(1);
    expect(set[0]!.params).toMatchObject({ url: bot.endpoint, secret_token: WEBHOOK_SECRET });
    expect(set[0]!.params['allowed_updates']).toEqual(['message', 'channel_post', 'callback_query', 'inline_query']);
    expect(fake.webhook).toEqual({ url: bot.endpoint, secretToken: WEBHOOK_SECRET, allowedUpdates: ['message', 'channel_post', 'callback_query', 'inline_query'] });
    expect(fake.calls.some((c) => c.method === 'getUpdates' || c.method === 'deleteWebhook')).toBe(false);
    expect(bot.health.get('telegram')).toMatchObject({ ready: true, detail: `webhook ${bot.endpoint}` });
    // The command menu is published as in polling mode.
    expect(fake.commands.get('default|')?.map((c) => c.command)).toContain('latest');
  });

  it('/latest and /report <date> arrive by webhook and are answered', async () => {
    const latest = await command('/latest');
    expect(latest.find((m) => m.replyMarkup !== null)?.plainText).toContain('2026-01-22');
    const report = await command('/report 2026-01-03', GROUP);
    expect(report[0]).toMatchObject({ method: 'sendPhoto', chatId: GROUP, photo: { name: 'wordcloud_twitter_ai_20260103_20260103.png' } });
    expect(report.find((m) => m.replyMarkup !== null)?.plainText).toContain('2026-01-03');
  });

  it('a button press arrives by webhook: the digest is edited in place and the press answered', async () => {
    const reply = await command('/report 2026-01-03', GROUP);
    const text = reply.find((m) => m.replyMarkup !== null)!;
    const previous = text.replyMarkup!.inline_keyboard.flat().find((b) => String(b['text']).startsWith('◀'))!;
    const id = fake.pressButton({ chatId: GROUP, messageId: text.messageId, data: String(previous['callback_data']), from: { id: OTHER_USER } });
    await until('the press answered', () => fake.callbackAnswers.find((a) => a.callbackQueryId === id));
    expect(fake.message(GROUP, text.messageId)!.plainText).toContain('2026-01-02');
  });

  it('an inline query arrives by webhook and is answered', async () => {
    const id = fake.sendInlineQuery({ query: '2026-01-02', from: { id: OTHER_USER } });
    const answer = await until('the inline answer', () => fake.inlineAnswers.find((a) => a.inlineQueryId === id));
    expect(answer.results.length).toBeGreaterThan(0);
  });

  it('a wrong or missing secret gets 401 and the update is not acted on, nor remembered', async () => {
    const update = { update_id: 880_001, message: textMessage('/latest', USER, 9001) } as unknown as Update;
    const before = fake.sent.length;
    expect(await fake.postToWebhook(update, { url: bot.endpoint, secretToken: 'wrong-secret' })).toBe(401);
    expect(await fake.postToWebhook(update, { url: bot.endpoint, secretToken: null })).toBe(401);
    expect(await fake.postToWebhook(update, { url: bot.endpoint, secretToken: `${WEBHOOK_SECRET}x` })).toBe(401);
    expect(await fake.postToWebhook(update, { url: bot.endpoint, secretToken: WEBHOOK_SECRET.slice(0, -1) })).toBe(401);
    // The same update with the right secret is answered exactly once: the refusals neither acted nor claimed it.
    expect(await fake.postToWebhook(update, { url: bot.endpoint, secretToken: WEBHOOK_SECRET })).toBe(200);
    await fake.waitFor((all) => all.slice(before).some((m) => m.method === 'sendMessage'));
    const replies = await settledReplies(before);
    expect(replies.filter((m) => m.replyMarkup !== null)).toHaveLength(1);
  });

  it('the same update posted twice (a replay) acts once', async () => {
    const update = { update_id: 880_002, message: textMessage('/latest', USER, 9002) } as unknown as Update;
    const before = fake.sent.length;
    expect(await fake.postToWebhook(update, { url: bot.endpoint })).toBe(200);
    expect(await fake.postToWebhook(update, { url: bot.endpoint })).toBe(200);
    await fake.waitFor((all) => all.slice(before).some((m) => m.method === 'sendMessage'));
    expect((await settledReplies(before)).filter((m) => m.replyMarkup !== null)).toHaveLength(1);
  });

  it('a body that is not an update gets 400 (with the right secret) and nothing is done', async () => {
    for (const body of ['not json', '[]', '{"message":{}}', '{"update_id":-1}']) {
      const response = await fetch(bot.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': WEBHOOK_SECRET },
        body,
      });
      expect(response.status).toBe(400);
    }
  });

  /**
   * Waits until replies stop coming (a later marker command's reply has arrived), then returns the
   * messages sent since `before` to USER, the marker's excluded.
   */
  async function settledReplies(before: number): Promise<SentMessage[]> {
    const markerChat = GROUP;
    const markerStart = fake.sent.length;
    fake.sendText('/help', { chatId: markerChat, from: { id: USER } });
    await fake.waitFor((all) => all.slice(markerStart).some((m) => m.chatId === markerChat));
    await fake.webhookIdle();
    return fake.sent.slice(before).filter((m) => m.chatId === USER);
  }
});

describe('Telegram webhook when the store cannot record the update', () => {
  it('answers 500 so Telegram resends it later, and acts once the store is back', async () => {
    const fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    fake.webhookOptions.retryDelayMs = 10;
    const store = await SqliteStore.open(':memory:');
    let failures = 2;
    const bot = await startWebhookInstance({
      fake,
      store,
      router: await webhookTestRouter(store),
      claimUpdate: async (id) => {
        if (failures > 0) {
          failures -= 1;
          throw new Error('database not answering');
        }
        return store.claimUpdate('telegram', id);
      },
    });
    try {
      await bot.start();
      const update = fake.sendText('/latest', { chatId: USER, from: { id: USER } });
      await fake.webhookIdle();
      expect(fake.webhookDeliveries.filter((d) => d.updateId === update.update_id).map((d) => d.status)).toEqual([500, 500, 200]);
      await fake.waitFor((all) => all.some((m) => m.replyMarkup !== null));
      expect(fake.sent.filter((m) => m.replyMarkup !== null)).toHaveLength(1);
    } finally {
      await bot.close();
      await fake.close();
      await store.close();
    }
  });
});

describe('Telegram setWebhook refusals at start', () => {
  async function startWith(status: 400 | 401 | 404 | 500): Promise<unknown> {
    const fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.failNext('setWebhook', { status, times: 10, ...(status === 400 ? { description: 'Bad Request: bad webhook: HTTPS url must be provided for webhook' } : {}) });
    const platform = new TelegramPlatform({
      token: fake.token,
      apiRoot: fake.apiRoot,
      botInfo: fake.botInfo,
      router: { definitions: [], handle: async () => ({ kind: 'text', text: '' }), autocompleteDates: () => [] },
      logger: silentLogger(),
      owners: [],
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
      webhook: { url: 'https://bot.example.com/telegram/webhook', secret: WEBHOOK_SECRET, claimUpdate: async () => true },
    });
    try {
      await platform.start();
      return null;
    } catch (error) {
      return error;
    } finally {
      await platform.stop();
      await fake.close();
    }
  }

  it('a refused token (401, or 404 for no token at all) is permanent', async () => {
    for (const status of [401, 404] as const) {
      const error = await startWith(status);
      expect(error).toMatchObject({ name: 'PlatformStartError', permanent: true });
      expect(String((error as Error).message)).toContain('check TELEGRAM_BOT_TOKEN');
    }
  });

  it('a refused URL (400 bad webhook) is permanent and names PUBLIC_URL', async () => {
    const error = await startWith(400);
    expect(error).toMatchObject({ name: 'PlatformStartError', permanent: true });
    expect(String((error as Error).message)).toContain('check PUBLIC_URL');
  });

  it('Telegram answering 5xx is transient (retried later)', async () => {
    const error = await startWith(500);
    expect(error).toMatchObject({ name: 'PlatformStartError', permanent: false });
  });
});

describe('polling after a webhook', () => {
  it('polling mode removes a webhook left by an earlier run (getUpdates would get 409) and answers commands', async () => {
    const fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    const store = await SqliteStore.open(':memory:');
    const register = await fetch(`${fake.apiRoot}/bot${fake.token}/setWebhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/telegram/webhook' }),
    });
    expect(register.status).toBe(200);
    const refused = await fetch(`${fake.apiRoot}/bot${fake.token}/getUpdates`, { method: 'POST' });
    expect(refused.status).toBe(409);
    const platform = new TelegramPlatform({
      token: fake.token,
      apiRoot: fake.apiRoot,
      botInfo: fake.botInfo,
      router: await webhookTestRouter(store),
      logger: silentLogger(),
      owners: [],
      pacing: { perChatIntervalMs: 0, perGroupPerMinute: 1_000_000, broadcastPerSecond: 1_000_000 },
    });
    try {
      await platform.start();
      expect(fake.webhook).toBeNull();
      expect(platform.statusDetail()).toBe('polling');
      fake.sendText('/latest', { chatId: USER, from: { id: USER } });
      await fake.waitFor((all) => all.some((m) => m.replyMarkup !== null));
    } finally {
      await platform.stop();
      await fake.close();
      await store.close();
    }
  });
});

function textMessage(text: string, chatId: number, messageId: number): Record<string, unknown> {
  return {
    message_id: messageId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private', first_name: 'User' },
    from: { id: chatId, is_bot: false, first_name: 'User' },
    text,
    entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
  };
}
