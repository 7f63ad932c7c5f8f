import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, GrammyError, InputFile } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../../helpers/fake-telegram.ts';

/** The fake itself must behave like the Bot API, or every adapter test built on it proves nothing. */
describe('fake Telegram Bot API server', () => {
  let fake: FakeTelegram;
  let api: Api;

  beforeAll(async () => {
    fake = await startFakeTelegram({ enforceRateLimits: false });
    api = new Api(fake.token, { apiRoot: fake.apiRoot });
    fake.addChat({ id: 10, type: 'private' });
    fake.addChat({ id: -20, type: 'group', migratedTo: -10020 });
    fake.addChat({ id: -30, type: 'supergroup', isForum: true, topics: [7], admins: [5], creator: 4 });
    fake.addChat({ id: 11, type: 'private', blocked: true });
  });
  afterAll(async () => {
    await fake.close();
  });

  const refusal = async (call: Promise<unknown>): Promise<GrammyError> => {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GrammyError);
    return error as GrammyError;
  };

  it('refuses an unknown token with 401', async () => {
    const wrong = new Api('999:wrong', { apiRoot: fake.apiRoot });
    expect((await refusal(wrong.getMe())).error_code).toBe(401);
  });

  it('records which client sent a message: the tag of a /client/<tag> API root, else null', async () => {
    const tagged = new Api(fake.token, { apiRoot: `${fake.apiRoot}/client/b` });
    const viaTag = await tagged.sendMessage(10, 'from b');
    const plain = await api.sendMessage(10, 'untagged');
    expect(fake.sent.find((m) => m.messageId === viaTag.message_id)?.client).toBe('b');
    expect(fake.sent.find((m) => m.messageId === plain.message_id)?.client).toBeNull();
  });

  it('accepts valid HTML and counts its length after entity parsing', async () => {
    const ok = `<b>${'字'.repeat(4000)}</b>&amp;${'x'.repeat(95)}`; // 4096 units once parsed
    await api.sendMessage(10, ok, { parse_mode: 'HTML' });
    expect(fake.sent.at(-1)?.plainText?.length).toBe(4096);
    const tooLong = await refusal(api.sendMessage(10, `${ok}y`, { parse_mode: 'HTML' }));
    expect(tooLong.description).toBe('Bad Request: message is too long');
  });

  it("refuses HTML Telegram can't parse", async () => {
    const bad = await refusal(api.sendMessage(10, '<p>hi</p>', { parse_mode: 'HTML' }));
    expect(bad.error_code).toBe(400);
    expect(bad.description).toMatch(/^Bad Request: can't parse entities: /);
  });

  it('refuses a blockquote inside a blockquote (expandable or not), accepts quotes side by side', async () => {
    const nested = await refusal(api.sendMessage(10, '<blockquote expandable>a<blockquote>b</blockquote></blockquote>', { parse_mode: 'HTML' }));
    expect(nested.description).toMatch(/^Bad Request: can't parse entities: Nested "blockquote"/);
    await api.sendMessage(10, '<b>1. t</b>\n<blockquote expandable>d</blockquote>\n\n<b>2. u</b>\n<blockquote expandable>e</blockquote>', { parse_mode: 'HTML' });
    expect(fake.sent.at(-1)?.plainText).toBe('1. t\nd\n\n2. u\ne');
  });

  it('records link_preview_options as sent and refuses malformed ones', async () => {
    await api.sendMessage(10, 'a https://x.test/a', { link_preview_options: { url: 'https://x.test/r', prefer_large_media: true } });
    expect(fake.sent.at(-1)?.linkPreview).toEqual({ url: 'https://x.test/r', prefer_large_media: true });
    await api.sendMessage(10, 'b');
    expect(fake.sent.at(-1)?.linkPreview).toBeNull();
    const bad = await refusal(api.sendMessage(10, 'c', { link_preview_options: { is_disabled: 'yes' as unknown as boolean } }));
    expect(bad.description).toMatch(/link preview options/);
  });

  it('answers chat errors like Telegram', async () => {
    expect((await refusal(api.sendMessage(12345, 'x'))).description).toBe('Bad Request: chat not found');
    const migrated = await refusal(api.sendMessage(-20, 'x'));
    expect(migrated.parameters.migrate_to_chat_id).toBe(-10020);
    expect((await refusal(api.sendMessage(11, 'x'))).error_code).toBe(403);
    expect((await refusal(api.sendMessage(10, 'x', { message_thread_id: 7 }))).description).toMatch(/thread not found/);
    await api.sendMessage(-30, 'in topic', { message_thread_id: 7 });
    expect(fake.sent.at(-1)).toMatchObject({ chatId: -30, threadId: 7 });
  });

  it('receives a multipart photo upload with its caption', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-tg-'));
    const path = join(dir, 'cloud.png');
    writeFileSync(path, Buffer.alloc(3000, 7));
    await api.sendPhoto(10, new InputFile(path, 'wordcloud_x.png'), { caption: '<i>cap</i>', parse_mode: 'HTML' });
    expect(fake.sent.at(-1)).toMatchObject({
      method: 'sendPhoto',
      text: '<i>cap</i>',
      plainText: 'cap',
      photo: { name: 'wordcloud_x.png', bytes: 3000 },
    });
    const long = await refusal(api.sendPhoto(10, new InputFile(path), { caption: 'c'.repeat(1025) }));
    expect(long.description).toMatch(/caption is too long/);
  });

  it('answers an upload with PhotoSizes whose file_ids a later sendPhoto may pass instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fake-tg-'));
    const path = join(dir, 'cloud.png');
    // A PNG header saying 1200 × 675 is enough for the fake to size the copies it keeps.
    const png = Buffer.alloc(5000, 3);
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(png, 0);
    png.writeUInt32BE(1200, 16);
    png.writeUInt32BE(675, 20);
    writeFileSync(path, png);
    const uploaded = await api.sendPhoto(10, new InputFile(path, 'wordcloud_y.png'));
    const sizes = uploaded.photo;
    expect(sizes.map((s) => [s.width, s.height])).toEqual([[90, 51], [320, 180], [800, 450], [1200, 675]]);
    expect(sizes.at(-1)).toMatchObject({ file_size: 5000 });
    expect(new Set(sizes.map((s) => s.file_id)).size).toBe(sizes.length);
    const largest = sizes.at(-1)!.file_id;
    expect(fake.sent.at(-1)?.photo).toEqual({ name: 'wordcloud_y.png', bytes: 5000, via: 'upload', fileId: largest });

    const again = await api.sendPhoto(-30, largest, { message_thread_id: 7 });
    expect(again.photo).toEqual(sizes);
    expect(fake.sent.at(-1)).toMatchObject({ chatId: -30, photo: { name: 'wordcloud_y.png', bytes: 5000, via: 'file_id', fileId: largest } });

    const unknown = await refusal(api.sendPhoto(10, 'AgACAgnot-issued-by-this-server'));
    expect(unknown.description).toBe('Bad Request: wrong file identifier/HTTP URL specified');
    fake.forgetFiles();
    expect((await refusal(api.sendPhoto(10, largest))).error_code).toBe(400);
  });

  it('answers chat members from the configured admins', async () => {
    expect((await api.getChatMember(-30, 4)).status).toBe('creator');
    expect((await api.getChatMember(-30, 5)).status).toBe('administrator');
    expect((await api.getChatMember(-30, 6)).status).toBe('member');
  });

  it('records setMyCommands per scope and language', async () => {
    await api.setMyCommands([{ command: 'report', description: '报告' }]);
    await api.setMyCommands([{ command: 'report', description: 'Report' }], { language_code: 'en' });
    expect(fake.commands.get('default|')?.[0]?.description).toBe('报告');
    expect((await api.getMyCommands({ language_code: 'en' }))[0]?.description).toBe('Report');
    expect((await refusal(api.setMyCommands([{ command: 'Bad-Name', description: 'x' }]))).error_code).toBe(400);
  });

  it('injects faults for a method and chat, then recovers', async () => {
    fake.failNext('sendMessage', { chatId: 10, status: 429, retryAfter: 3 });
    const limited = await refusal(api.sendMessage(10, 'x'));
    expect(limited.error_code).toBe(429);
    expect(limited.parameters.retry_after).toBe(3);
    await api.sendMessage(10, 'after');
    expect(fake.sent.at(-1)?.text).toBe('after');
  });

  it('serves pushed updates through long polling and confirms them by offset', async () => {
    const polling = api.getUpdates({ offset: 0, timeout: 5 });
    setTimeout(() => fake.sendText('/report@ai_digest_test_bot 2026-01-03', { chatId: 10 }), 20);
    const [update] = await polling;
    expect(update?.message?.entities?.[0]).toEqual({ type: 'bot_command', offset: 0, length: 26 });
    const next = await api.getUpdates({ offset: update!.update_id + 1, timeout: 0 });
    expect(next).toEqual([]);
  });

  it('keyboards, edits and callback answers are checked as Telegram does', async () => {
    const tooLong = { inline_keyboard: [[{ text: 'a', callback_data: 'x'.repeat(65) }]] };
    expect((await refusal(api.sendMessage(10, 'hi', { reply_markup: tooLong }))).description).toMatch(/BUTTON_DATA_INVALID/);
    const sent = await api.sendMessage(10, 'hi', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'x'.repeat(64) }]] } });
    // Editing nothing, a missing message, or a text message's media is refused.
    expect((await refusal(api.editMessageText(10, sent.message_id, 'hi', { reply_markup: { inline_keyboard: [[{ text: 'a', callback_data: 'x'.repeat(64) }]] } }))).description).toMatch(/not modified/);
    expect((await refusal(api.editMessageText(10, 999_999, 'x'))).description).toMatch(/message to edit not found/);
    expect((await refusal(api.editMessageCaption(10, sent.message_id, { caption: 'c' }))).description).toMatch(/no media/);
    await api.editMessageText(10, sent.message_id, 'changed');
    expect(fake.message(10, sent.message_id)!.plainText).toBe('changed');
    // A callback query is answered once; an unknown one is refused.
    const id = fake.pressButton({ chatId: 10, messageId: (await api.sendMessage(10, 'k', { reply_markup: { inline_keyboard: [[{ text: 'b', callback_data: 'go' }]] } })).message_id, data: 'go' });
    await api.answerCallbackQuery(id);
    expect((await refusal(api.answerCallbackQuery(id))).description).toMatch(/query is too old|query ID is invalid/);
    expect(() => fake.pressButton({ chatId: 10, messageId: sent.message_id, data: 'nope' })).toThrow();
  });

  it('inline answers: at most 50 results with unique ids of ≤ 64 bytes and valid HTML', async () => {
    const article = (id: string, text = 'x') => ({ type: 'article' as const, id, title: 't', input_message_content: { message_text: text, parse_mode: 'HTML' as const } });
    const queryId = (): string => fake.sendInlineQuery({ query: 'q' });
    expect((await refusal(api.answerInlineQuery(queryId(), Array.from({ length: 51 }, (_, i) => article(`a${i}`))))).description).toMatch(/RESULTS_TOO_MUCH/);
    expect((await refusal(api.answerInlineQuery(queryId(), [article('a'), article('a')]))).description).toMatch(/DUPLICATE/);
    expect((await refusal(api.answerInlineQuery(queryId(), [article('i'.repeat(65))]))).description).toMatch(/RESULT_ID_INVALID/);
    expect((await refusal(api.answerInlineQuery(queryId(), [article('b', '<p>x</p>')]))).description).toMatch(/can't parse entities/);
    expect((await refusal(api.answerInlineQuery(queryId(), [{ type: 'photo', id: 'p', photo_file_id: 'unknown' }]))).description).toMatch(/wrong file identifier/);
    await api.answerInlineQuery(queryId(), Array.from({ length: 50 }, (_, i) => article(`a${i}`)));
  });
});

describe('fake Telegram flood control', () => {
  it('answers 429 with retry_after to a second message in the same second', async () => {
    const fake = await startFakeTelegram();
    try {
      const api = new Api(fake.token, { apiRoot: fake.apiRoot });
      fake.addChat({ id: 10, type: 'private' });
      await api.sendMessage(10, 'one');
      const error = await api.sendMessage(10, 'two').catch((e: unknown) => e as GrammyError);
      expect(error).toBeInstanceOf(GrammyError);
      expect((error as GrammyError).parameters.retry_after).toBe(1);
      expect(fake.counters.rateLimited).toBe(1);
    } finally {
      await fake.close();
    }
  });
});
