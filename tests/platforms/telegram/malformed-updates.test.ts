import { Writable } from 'node:stream';
import type { Update } from 'grammy/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../../src/log.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram.ts';
import { startWebhookInstance, until, webhookTestRouter, type WebhookInstance } from '../../helpers/telegram-webhook-harness.ts';

/**
 * Updates the handlers cannot read (a `message` or `channel_post` without `chat`, a button press
 * without `from` …) arrive by long polling and by the webhook alike: each is logged once at warn
 * and dropped, nothing escapes as an uncaught error or an unhandled rejection (either ends the
 * process in production), and the bot answers the next ordinary command.
 */

const USER = 7501;
const CHANNEL = -1007501;

type Unsent = Omit<Update, 'update_id'>;
const from = { id: USER, is_bot: false, first_name: 'U' };
const MALFORMED: Array<[string, Unsent]> = [
  ['a message without chat', { message: { message_id: 1, date: 0, from, text: '/latest' } } as unknown as Unsent],
  ['a channel post without chat', { channel_post: { message_id: 2, date: 0, text: '/latest' } } as unknown as Unsent],
  ['a message whose chat has no id', { message: { message_id: 3, date: 0, from, chat: { type: 'private' }, text: '/start' } } as unknown as Unsent],
  ['a button press without from', { callback_query: { id: 'cq1', chat_instance: 'c', data: 'x', message: { message_id: 4, date: 0, chat: { id: USER, type: 'private' } } } } as unknown as Unsent],
  ['a button press on a message without chat', { callback_query: { id: 'cq2', from, chat_instance: 'c', data: 'x', message: { message_id: 5, date: 0 } } } as unknown as Unsent],
  ['an inline query without from', { inline_query: { id: 'iq1', query: 'agents', offset: '' } } as unknown as Unsent],
];

/** Errors that escaped every handler: in the bot process either one is the end of it. */
const escaped: unknown[] = [];
const onEscape = (error: unknown): void => void escaped.push(error);

function captureLogs(): { lines: Array<Record<string, unknown>>; logger: Logger } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'warn', destination: sink }) };
}

/** Lets a handled update's detached work run and anything it throws surface. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));

beforeAll(() => {
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
});
afterAll(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});
beforeEach(() => void escaped.splice(0));

describe('malformed Telegram updates over long polling', () => {
  let h: TelegramHarness;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    logs = captureLogs();
    h = await startTelegramHarness({ logger: logs.logger });
    h.fake.addChat({ id: USER, type: 'private' });
    h.fake.addChat({ id: CHANNEL, type: 'channel', title: 'AI 频道' });
    await h.platform.start();
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(MALFORMED)('%s is logged once at warn and dropped; the next command is answered', async (_what, malformed) => {
    const dropped = h.fake.pushUpdate(malformed);
    await until('the drop to be logged', () => logs.lines.some((l) => l['update'] === dropped.update_id), 10_000);
    await settle();
    h.fake.sendText('/start', { chatId: USER, from: { id: USER } });
    await h.fake.waitFor((sent) => sent.some((m) => m.chatId === USER && m.method === 'sendMessage'), 10_000);
    await settle();
    expect(escaped).toEqual([]);
    const about = logs.lines.filter((l) => l['update'] === dropped.update_id);
    expect(about).toEqual([expect.objectContaining({ level: 'warn', event: 'telegram-update-dropped' })]);
  });
});

describe('malformed Telegram updates over the webhook', () => {
  let fake: FakeTelegram;
  let store: SqliteStore;
  let bot: WebhookInstance;
  let logs: ReturnType<typeof captureLogs>;

  beforeAll(async () => {
    fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    fake.webhookOptions.retryDelayMs = 10;
    store = await SqliteStore.open(':memory:');
    logs = captureLogs();
    bot = await startWebhookInstance({ fake, store, router: await webhookTestRouter(store), logger: logs.logger });
    await bot.start();
  });
  afterAll(async () => {
    await bot.close();
    await fake.close();
    await store.close();
  });

  it.each(MALFORMED)('%s (with the right secret) is answered 200, logged once at warn and dropped; the next command is answered', async (_what, malformed) => {
    const dropped = fake.pushUpdate(malformed);
    await fake.webhookIdle();
    expect(fake.webhookDeliveries.filter((d) => d.updateId === dropped.update_id).map((d) => d.status)).toEqual([200]);
    await settle();
    const before = fake.sent.length;
    fake.sendText('/start', { chatId: USER, from: { id: USER } });
    await fake.waitFor((sent) => sent.slice(before).some((m) => m.chatId === USER && m.method === 'sendMessage'), 10_000);
    await settle();
    expect(escaped).toEqual([]);
    const about = logs.lines.filter((l) => l['update'] === dropped.update_id);
    expect(about).toEqual([expect.objectContaining({ level: 'warn', event: 'telegram-update-dropped' })]);
  });
});
