import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Corrections, type EditingPlatform } from '../../src/delivery/corrections.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { DigestError } from '../../src/errors.ts';
import { silentLogger } from '../../src/log.ts';
import { DiscordPlatform } from '../../src/platforms/discord/discord-platform.ts';
import type { Destination, PlatformName } from '../../src/platforms/platform.ts';
import { condenseReport } from '../../src/report/condense.ts';
import type { DigestImage } from '../../src/report/digest-types.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import type { Report } from '../../src/report/types.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { MemoryLibrary } from './fixtures.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { SAMPLE_GUILD_IDS, sampleGuild } from '../helpers/fake-discord-harness.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';

const SLUG = 'twitter_ai_20260109_20260109';

/** The report as first published, and as corrected later (same file, other words). */
function version(detail: string, morePoints = 0): Report {
  const lines = [
    '1. **新模型发布**：' + detail,
    '2. **第二条**：细节。',
    ...Array.from({ length: morePoints }, (_, i) => `${i + 3}. **又一条 ${i + 3}**：${'补充的细节。'.repeat(30)}`),
  ];
  return parseReport(
    `---\ntitle: "${SLUG}"\ndate: "2026-01-09 14:34:15 +0800"\n---\n\n# 概览\n\n### 核心信息（2个信息点概述）\n\n${lines.join('\n')}\n`,
    `/content/${SLUG}.md`,
  );
}

const image: DigestImage = sampleDigest({ imageBytes: 2048, slug: SLUG }).image!;
const digests: DigestBuilder = {
  async forReport(r) {
    return condenseReport(r, { detailMaxChars: 200, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' }, image, null);
  },
};

const chat: Destination = { platform: 'telegram', chatId: '-1009301', threadId: null };
const textChat: Destination = { platform: 'telegram', chatId: '-1009302', threadId: null };
const channel: Destination = { platform: 'discord', chatId: SAMPLE_GUILD_IDS.other, threadId: null };

describe('corrections edited in place, through the real clients to the fakes', () => {
  let telegram: TelegramHarness;
  let fakeDiscord: FakeDiscord;
  let discord: DiscordPlatform;
  let store: SqliteStore;

  beforeAll(async () => {
    telegram = await startTelegramHarness();
    for (const d of [chat, textChat]) telegram.fake.addChat({ id: Number(d.chatId), type: 'supergroup', title: d.chatId });
    fakeDiscord = await startFakeDiscord({ enforceRateLimits: false });
    fakeDiscord.addGuild(sampleGuild());
    discord = new DiscordPlatform({ token: fakeDiscord.token, apiBase: fakeDiscord.apiBase, router: scriptedRouter(), logger: silentLogger(), owners: [], mode: 'rest-only' });
  });
  afterAll(async () => {
    await telegram.close();
    await discord.stop();
    await fakeDiscord.close();
  });
  beforeEach(async () => {
    store = await SqliteStore.open(':memory:');
    telegram.fake.resetRecordings();
    fakeDiscord.messages.length = 0;
    fakeDiscord.messageEdits.length = 0;
  });

  const platforms = () => new Map<PlatformName, EditingPlatform>([['discord', discord], ['telegram', telegram.platform]]);
  const correctionsOf = (report: Report) => new Corrections({ library: new MemoryLibrary(report), digests, store, platforms: platforms(), logger: silentLogger() });

  async function deliver(report: Report): Promise<void> {
    await store.subscribe({ ...chat, subscribedBy: 'cli' });
    await store.subscribe({ ...textChat, subscribedBy: 'cli', options: { wordcloud: false } });
    await store.subscribe({ ...channel, subscribedBy: 'cli' });
    const deliverer = new Deliverer({ store, platforms: { discord, telegram: telegram.platform }, policy: { maxAttempts: 1, backoffBaseMs: 1, backoffCapMs: 1 } });
    const outcome = await new Fanout({ library: new MemoryLibrary(report), digests, store, deliverer }).deliverNewest();
    expect(outcome?.results.map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered']);
  }

  const sentTo = (d: Destination) => telegram.fake.sent.filter((m) => String(m.chatId) === d.chatId);
  const messagesIn = (d: Destination) => fakeDiscord.messages.filter((m) => m.channelId === d.chatId);

  it('edits exactly the delivered messages to the corrected text, sends nothing new, and a second run edits nothing', async () => {
    const first = version('旧的说法。');
    await deliver(first);
    const sentBefore = telegram.fake.sent.length;
    const discordBefore = fakeDiscord.messages.length;
    const photoChat = sentTo(chat);
    expect(photoChat[0]!.method).toBe('sendPhoto');

    const corrected = version('更正后的说法。');
    expect(corrected.contentHash).not.toBe(first.contentHash);
    const result = await correctionsOf(corrected).correct(SLUG);
    expect(result.outcomes.map((o) => [o.destination.chatId, o.status])).toEqual(
      expect.arrayContaining([
        [chat.chatId, 'edited'],
        [textChat.chatId, 'edited'],
        [channel.chatId, 'edited'],
      ]),
    );

    // Nothing new was posted anywhere.
    expect(telegram.fake.sent.length).toBe(sentBefore);
    expect(fakeDiscord.messages.length).toBe(discordBefore);
    // Telegram: the photo's caption and media, each text message, on the ids delivered.
    const editedIds = telegram.fake.edits.filter((e) => String(e.chatId) === chat.chatId).map((e) => e.messageId);
    expect(editedIds.sort()).toEqual(photoChat.map((m) => m.messageId).sort());
    expect(telegram.fake.edits.find((e) => e.messageId === photoChat[0]!.messageId)?.method).toBe('editMessageMedia');
    const shown = [...sentTo(chat), ...sentTo(textChat)].map((m) => telegram.fake.message(m.chatId, m.messageId)!.plainText ?? '').join('\n');
    expect(shown).toContain('更正后的说法');
    expect(shown).not.toContain('旧的说法');
    expect(telegram.fake.edits.filter((e) => String(e.chatId) === textChat.chatId).every((e) => e.method === 'editMessageText')).toBe(true);
    // Discord: one PATCH per delivered message, in its channel, now showing the correction.
    expect(fakeDiscord.messageEdits.map((e) => e.id).sort()).toEqual(messagesIn(channel).map((m) => m.id).sort());
    expect(JSON.stringify(messagesIn(channel).map((m) => m.body))).toContain('更正后的说法');
    // The ledger knows which version the readers have now.
    for (const d of [chat, textChat, channel]) expect((await store.getDelivery(SLUG, d, 'scheduled'))?.contentHash).toBe(corrected.contentHash);

    const edits = telegram.fake.edits.length + fakeDiscord.messageEdits.length;
    const again = await correctionsOf(corrected).correct(SLUG);
    expect(again.outcomes).toEqual([]);
    expect(again.upToDate).toBe(3);
    expect(telegram.fake.edits.length + fakeDiscord.messageEdits.length).toBe(edits);
  });

  it('a deleted message is reported, never re-sent; the rest are still corrected', async () => {
    await deliver(version('旧的说法。'));
    const [, textMessage] = sentTo(chat);
    telegram.fake.deleteMessage(Number(chat.chatId), textMessage!.messageId);
    fakeDiscord.messages.splice(fakeDiscord.messages.findIndex((m) => m.channelId === channel.chatId), 1);
    const sentBefore = telegram.fake.sent.length;
    const discordBefore = fakeDiscord.messages.length;

    const corrected = version('更正后的说法。');
    const result = await correctionsOf(corrected).correct(SLUG);
    const byChat = new Map(result.outcomes.map((o) => [o.destination.chatId, o]));
    expect(byChat.get(chat.chatId)).toMatchObject({ status: 'not-editable', reason: expect.stringContaining('message to edit not found') });
    expect(byChat.get(channel.chatId)).toMatchObject({ status: 'not-editable', reason: expect.stringContaining('Unknown Message') });
    expect(byChat.get(textChat.chatId)?.status).toBe('edited');
    expect(telegram.fake.sent.length).toBe(sentBefore);
    expect(fakeDiscord.messages.length).toBe(discordBefore);
    // Not recorded as corrected: the operator can see it, and a later run reports it again.
    expect((await store.getDelivery(SLUG, chat, 'scheduled'))?.contentHash).not.toBe(corrected.contentHash);
    expect((await store.getDelivery(SLUG, textChat, 'scheduled'))?.contentHash).toBe(corrected.contentHash);
  });

  it('a correction that would need another message is reported, not sent', async () => {
    await deliver(version('旧的说法。'));
    const long = version('更正。', 30);
    const sentBefore = telegram.fake.sent.length;
    const result = await correctionsOf(long).correct(SLUG, { platform: 'telegram' });
    const outcome = result.outcomes.find((o) => o.destination.chatId === textChat.chatId);
    expect(outcome).toMatchObject({ status: 'not-editable', reason: expect.stringContaining('cannot add or remove messages') });
    expect(telegram.fake.sent.length).toBe(sentBefore);
  });

  it('an incomplete version (fewer points than announced) is not applied', async () => {
    await deliver(version('旧的说法。'));
    const half = parseReport(
      `---\ntitle: "${SLUG}"\ndate: "2026-01-09 14:34:15 +0800"\n---\n\n### 核心信息（2个信息点概述）\n\n1. **新模型发布**：更正。\n`,
      `/content/${SLUG}.md`,
    );
    await expect(correctionsOf(half).correct(SLUG)).rejects.toThrow(DigestError);
    expect(telegram.fake.edits).toEqual([]);
    expect(fakeDiscord.messageEdits).toEqual([]);
  });
});
