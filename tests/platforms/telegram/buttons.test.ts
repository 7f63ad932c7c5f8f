import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../src/commands/deps.ts';
import { createCommandRouter } from '../../../src/commands/router.ts';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { createDigestBuilder } from '../../../src/digest-builder.ts';
import { silentLogger } from '../../../src/log.ts';
import { TelegramPlatform } from '../../../src/platforms/telegram/telegram-platform.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { ReportLibrary } from '../../../src/report/library.ts';
import type { Report } from '../../../src/report/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { FakeTelegram, SentMessage, StoredMessage } from '../../helpers/fake-telegram.ts';
import { startFakeTelegram } from '../../helpers/fake-telegram.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../../content');
const USER = 7101;
const OTHER_USER = 7102;
const GROUP = -1007100;

async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

type Button = { text: string; callback_data?: string; url?: string };
const buttons = (m: { replyMarkup: StoredMessage['replyMarkup'] } | undefined): Button[] =>
  (m?.replyMarkup?.inline_keyboard.flat() ?? []) as Button[];

describe('Telegram previous / next buttons', () => {
  let fake: FakeTelegram;
  let platform: TelegramPlatform;
  let router: CommandRouter;
  let store: SqliteStore;
  const images = new Map<string, DigestImage>();

  const startPlatform = async (): Promise<TelegramPlatform> => {
    const p = new TelegramPlatform({
      token: fake.token,
      apiRoot: fake.apiRoot,
      botInfo: fake.botInfo,
      router,
      logger: silentLogger(),
      owners: [],
      pacing: { perChatIntervalMs: 0, perGroupPerMinute: 1_000_000, broadcastPerSecond: 1_000_000 },
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
    await p.start();
    return p;
  };

  beforeAll(async () => {
    const library = await ReportLibrary.open(CONTENT_DIR);
    store = await SqliteStore.open(':memory:');
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-buttons-'));
    for (const [slug, fill] of [['twitter_ai_20260102_20260102', 2], ['twitter_ai_20260103_20260103', 3]] as const) {
      const file = path.join(dir, `wordcloud_${slug}.png`);
      writeFileSync(file, Buffer.alloc(2048 + fill, fill));
      images.set(slug, { path: file, name: path.basename(file), bytes: 2048 + fill, generated: false });
    }
    const lookup = (report: Report): DigestImage | null => images.get(report.slug) ?? null;
    const deps: CommandDeps = {
      library,
      digests: createDigestBuilder(
        { digest: { detailMaxChars: 120, reportUrlTemplate: 'https://example.com/{slug}', titlePrefix: 'Twitter AI 报告' } },
        { imageFor: async (report) => lookup(report), cachedImageFor: lookup },
        library,
      ),
      store,
      reposter: { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) },
      timezone: 'Asia/Shanghai',
      now: () => new Date('2026-01-22T02:00:00Z'),
      logger: silentLogger(),
    };
    router = createCommandRouter(deps);
    fake = await startFakeTelegram({ enforceRateLimits: false });
    fake.addChat({ id: USER, type: 'private' });
    fake.addChat({ id: GROUP, type: 'supergroup', title: 'AI 讨论组' });
    platform = await startPlatform();
  });

  afterAll(async () => {
    await platform.stop();
    await fake.close();
    await store.close();
  });

  /** Sends a command and waits for its digest: the photo (if any) and the text message with the keyboard. */
  async function digestFor(text: string, chatId = GROUP): Promise<{ photo: SentMessage | undefined; text: SentMessage }> {
    const before = fake.sent.length;
    fake.sendText(text, { chatId, from: { id: USER } });
    const sent = await fake.waitFor((all) => all.slice(before).some((m) => m.replyMarkup !== null));
    const mine = sent.slice(before);
    return { photo: mine.find((m) => m.method === 'sendPhoto'), text: mine.find((m) => m.replyMarkup !== null)! };
  }

  /** Presses the button whose text matches, as another user, and waits for its answerCallbackQuery. */
  async function press(chatId: number, messageId: number, pick: (b: Button) => boolean): Promise<void> {
    const button = buttons(fake.message(chatId, messageId)).find(pick);
    if (!button?.callback_data) throw new Error(`no such button: ${JSON.stringify(buttons(fake.message(chatId, messageId)))}`);
    const id = fake.pressButton({ chatId, messageId, data: button.callback_data, from: { id: OTHER_USER } });
    await until(() => fake.callbackAnswers.find((a) => a.callbackQueryId === id), `the answer to ${id}`);
  }

  const previous = (b: Button): boolean => b.text.startsWith('◀');
  const next = (b: Button): boolean => b.text.endsWith('▶');

  it('polls for callback queries and inline queries', async () => {
    // A poll is recorded when it returns: an update makes the one under way return.
    fake.sendText('hello', { chatId: USER, from: { id: USER } });
    const poll = await until(() => fake.calls.find((c) => c.method === 'getUpdates' && c.params['allowed_updates'] !== undefined), 'a recorded poll');
    expect(poll?.params['allowed_updates']).toEqual(expect.arrayContaining(['message', 'channel_post', 'callback_query', 'inline_query']));
  });

  it('a /report digest carries previous / next dates and the full-report link under its text', async () => {
    const { photo, text } = await digestFor('/report 2026-01-02');
    expect(photo).toBeDefined();
    expect(buttons(text).map((b) => b.text)).toEqual(['◀ 2026-01-01', '2026-01-03 ▶', '完整报告']);
    // The buttons name the photo message so a press can replace the picture too.
    expect(buttons(text)[0]!.callback_data).toBe(`show:20260101:${photo!.messageId}`);
    expect(buttons(text)[2]!.url).toBe('https://example.com/twitter_ai_20260102_20260102');
  });

  it('pressing previous, next and next edits the same two messages in place, each press answered', async () => {
    const { photo, text } = await digestFor('/report 2026-01-02');
    const sentBefore = fake.sent.length;
    const answersBefore = fake.callbackAnswers.length;

    await press(GROUP, text.messageId, previous);
    let shown = fake.message(GROUP, text.messageId)!;
    expect(shown.plainText).toContain('2026-01-01');
    expect(buttons(shown).map((b) => b.text).slice(0, 2)).toEqual(['◀ 2025-12-27', '2026-01-02 ▶']);
    // 2026-01-01 has no word cloud: the photo's caption says which day it is now.
    expect(fake.message(GROUP, photo!.messageId)!.plainText).toContain('2026-01-01');

    await press(GROUP, text.messageId, next);
    shown = fake.message(GROUP, text.messageId)!;
    expect(shown.plainText).toContain('2026-01-02');
    expect(fake.message(GROUP, photo!.messageId)!.photo!.name).toBe('wordcloud_twitter_ai_20260102_20260102.png');

    await press(GROUP, text.messageId, next);
    expect(fake.message(GROUP, text.messageId)!.plainText).toContain('2026-01-03');
    expect(fake.message(GROUP, photo!.messageId)!.photo!.name).toBe('wordcloud_twitter_ai_20260103_20260103.png');
    expect(fake.message(GROUP, photo!.messageId)!.plainText).toContain('2026-01-03');

    expect(fake.sent.length).toBe(sentBefore);
    expect(fake.callbackAnswers.length - answersBefore).toBe(3);
    expect(fake.edits.filter((e) => e.messageId === text.messageId).map((e) => e.method)).toEqual(['editMessageText', 'editMessageText', 'editMessageText']);
    expect(fake.edits.filter((e) => e.messageId === photo!.messageId).map((e) => e.method)).toEqual([
      'editMessageCaption',
      'editMessageMedia',
      'editMessageMedia',
    ]);
  });

  it('at the ends of the archive there is no button leading out of it', async () => {
    const oldest = await digestFor('/report 2025-12-27');
    expect(buttons(oldest.text).map((b) => b.text)).toEqual(['2026-01-01 ▶', '完整报告']);
    const latest = await digestFor('/latest');
    expect(latest.text.plainText).toContain('2026-01-22');
    expect(buttons(latest.text).map((b) => b.text)).toEqual(['◀ 2026-01-03', '完整报告']);
  });

  it('a press after a restart (a new client, nothing in memory) still moves between days', async () => {
    const { text } = await digestFor('/report 2026-01-03', USER);
    await platform.stop();
    platform = await startPlatform();
    await press(USER, text.messageId, previous);
    expect(fake.message(USER, text.messageId)!.plainText).toContain('2026-01-02');
  });

  it('a button the bot does not know gets an answer saying so, and nothing is edited', async () => {
    const { text } = await digestFor('/report 2026-01-03', USER);
    // Forge an old-format button on the message, as an older version of the bot might have sent.
    fake.message(USER, text.messageId)!.replyMarkup = { inline_keyboard: [[{ text: 'old', callback_data: 'page:3' }]] };
    const editsBefore = fake.edits.length;
    const id = fake.pressButton({ chatId: USER, messageId: text.messageId, data: 'page:3', from: { id: OTHER_USER } });
    const answer = await until(() => fake.callbackAnswers.find((a) => a.callbackQueryId === id), 'the answer');
    expect(answer.showAlert).toBe(true);
    expect(answer.text).toBeTruthy();
    expect(fake.edits.length).toBe(editsBefore);
  });
});
