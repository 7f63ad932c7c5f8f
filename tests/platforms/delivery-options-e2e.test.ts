import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { silentLogger } from '../../src/log.ts';
import { DiscordPlatform } from '../../src/platforms/discord/discord-platform.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { condenseReport } from '../../src/report/condense.ts';
import type { DigestImage } from '../../src/report/digest-types.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { SubscriptionOptions } from '../../src/store/store.ts';
import { MemoryLibrary } from '../delivery/fixtures.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { SAMPLE_GUILD_IDS, sampleGuild } from '../helpers/fake-discord-harness.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';

// A report whose own text tries to ping: none of it may ping anyone, whatever the options.
const REPORT = `---
title: "twitter_ai_20260108_20260108"
date: "2026-01-08 14:34:15 +0800"
---

# @everyone 看这里

### 核心信息（2个信息点概述）

1. **@here 新模型发布**：@everyone 请注意 <@111111111111111111> 和 <@&999999999999999999>。
2. **第二条**：细节。
`;

const image: DigestImage = sampleDigest({ imageBytes: 2048, slug: 'twitter_ai_20260108_20260108' }).image!;
const report = parseReport(REPORT, '/content/twitter_ai_20260108_20260108.md');
const digests: DigestBuilder = {
  async forReport(r, options) {
    return condenseReport(r, { detailMaxChars: 200, reportUrlTemplate: 'https://example.com/{slug}.html', titlePrefix: 'Twitter AI 报告' }, image, options?.note ?? null);
  },
};

const ROLE = '700000000000000077';
const roleChannel: Destination = { platform: 'discord', chatId: SAMPLE_GUILD_IDS.text, threadId: null };
const plainChannel: Destination = { platform: 'discord', chatId: SAMPLE_GUILD_IDS.other, threadId: null };
const silentChat: Destination = { platform: 'telegram', chatId: '-1009201', threadId: null };
const englishChat: Destination = { platform: 'telegram', chatId: '-1009202', threadId: null };
const defaultChat: Destination = { platform: 'telegram', chatId: '-1009203', threadId: null };

describe('per-subscription delivery options, from the store through the fan-out to the real clients', () => {
  let telegram: TelegramHarness;
  let fakeDiscord: FakeDiscord;
  let discord: DiscordPlatform;
  let store: SqliteStore;

  beforeAll(async () => {
    telegram = await startTelegramHarness();
    for (const d of [silentChat, englishChat, defaultChat]) telegram.fake.addChat({ id: Number(d.chatId), type: 'supergroup', title: d.chatId });
    fakeDiscord = await startFakeDiscord({ enforceRateLimits: false });
    fakeDiscord.addGuild(sampleGuild());
    discord = new DiscordPlatform({ layout: 'embeds', token: fakeDiscord.token, apiBase: fakeDiscord.apiBase, router: scriptedRouter(), logger: silentLogger(), owners: [], mode: 'rest-only' });
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
  });

  async function deliver(subscriptions: [Destination, Partial<SubscriptionOptions>][]): Promise<void> {
    for (const [destination, options] of subscriptions) await store.subscribe({ ...destination, subscribedBy: 'cli', options });
    const deliverer = new Deliverer({ store, platforms: { discord, telegram: telegram.platform }, policy: { maxAttempts: 1, backoffBaseMs: 1, backoffCapMs: 1 } });
    const fanout = new Fanout({ library: new MemoryLibrary(report), digests, store, deliverer });
    const outcome = await fanout.deliverNewest();
    expect(outcome?.results.map((r) => r.outcome)).toEqual(subscriptions.map(() => 'delivered'));
  }

  const messagesIn = (d: Destination) => fakeDiscord.messages.filter((m) => m.channelId === d.chatId);
  const sentTo = (d: Destination) => telegram.fake.sent.filter((m) => String(m.chatId) === d.chatId);

  it('Discord: the role is mentioned in the first message and pinged alone; the report’s @everyone pings no one', async () => {
    await deliver([
      [roleChannel, { mentionRoleId: ROLE }],
      [plainChannel, {}],
    ]);
    const [first, ...rest] = messagesIn(roleChannel);
    expect(first!.body['content']).toBe(`<@&${ROLE}>`);
    expect(first!.body['allowed_mentions']).toEqual({ parse: [], roles: [ROLE] });
    expect(first!.pings).toEqual({ everyone: false, users: [], roles: [ROLE], silent: false });
    for (const message of rest) expect(message.pings).toEqual({ everyone: false, users: [], roles: [], silent: false });
    // The report's own text went out (in the embeds), and still pinged nobody.
    expect(JSON.stringify(first!.body['embeds'])).toContain('@everyone');

    const plain = messagesIn(plainChannel);
    expect(plain.length).toBeGreaterThan(0);
    for (const message of plain) {
      expect(message.body['content']).toBeUndefined();
      expect(message.body['allowed_mentions']).toEqual({ parse: [] });
      expect(message.pings).toEqual({ everyone: false, users: [], roles: [], silent: false });
    }
  });

  it('Discord: silent posts @silent messages (SUPPRESS_NOTIFICATIONS); word cloud off uploads nothing', async () => {
    // A destination of its own: the fake remembers nonces across tests, as Discord does for minutes.
    const thread: Destination = { platform: 'discord', chatId: SAMPLE_GUILD_IDS.text, threadId: SAMPLE_GUILD_IDS.thread };
    await deliver([[thread, { silent: true, wordcloud: false, mentionRoleId: ROLE }]]);
    const messages = fakeDiscord.messages.filter((m) => m.channelId === SAMPLE_GUILD_IDS.thread);
    expect(messages.length).toBeGreaterThan(0);
    for (const message of messages) {
      expect(message.body['flags']).toBe(4096);
      expect(message.files).toEqual([]);
      expect(JSON.stringify(message.body['embeds'])).not.toContain('attachment://');
    }
    expect(messages[0]!.pings).toEqual({ everyone: false, users: [], roles: [ROLE], silent: true });
  });

  it('the fake counts pings as Discord does (so the test above could fail)', async () => {
    const { pingsOf } = await import('../helpers/fake-discord-mentions.ts');
    expect(pingsOf({ content: '@everyone <@1> <@&2>' })).toEqual({ everyone: true, users: ['1'], roles: ['2'], silent: false });
    expect(pingsOf({ content: '@here <@&2> <@&3>', allowed_mentions: { parse: [], roles: ['3'] } })).toEqual({ everyone: false, users: [], roles: ['3'], silent: false });
    expect(pingsOf({ content: '@everyone', allowed_mentions: { parse: ['everyone'] }, flags: 4096 })).toMatchObject({ everyone: true, silent: true });
  });

  it('Telegram: silent sets disable_notification on every call; word cloud off sends no photo', async () => {
    await deliver([
      [silentChat, { silent: true, wordcloud: false }],
      [defaultChat, {}],
    ]);
    const silent = sentTo(silentChat);
    expect(silent.length).toBeGreaterThan(0);
    expect(silent.every((m) => m.silent)).toBe(true);
    expect(silent.some((m) => m.method === 'sendPhoto')).toBe(false);
    // Text-only rendering from the start: the headline sits under the title, and the ledger says so.
    expect(silent[0]!.plainText).toContain('@everyone 看这里');
    const row = await store.getDelivery(report.slug, silentChat, 'scheduled');
    expect((await store.listDeliveryParts(row!.id)).map((p) => p.plan)).toEqual(silent.map(() => 'text-only'));

    const normal = sentTo(defaultChat);
    expect(normal[0]!.method).toBe('sendPhoto');
    expect(normal.every((m) => !m.silent)).toBe(true);
  });

  it('language en changes the surrounding labels only; the report’s text stays as written', async () => {
    await deliver([
      [englishChat, { language: 'en' }],
      [defaultChat, {}],
    ]);
    const english = sentTo(englishChat);
    const chinese = sentTo(defaultChat);
    expect(english[0]!.plainText).toContain('Published 2026-01-08 14:34');
    expect(chinese[0]!.plainText).toContain('发布于 2026-01-08 14:34');
    const englishText = english.map((m) => m.plainText).join('\n');
    const chineseText = chinese.map((m) => m.plainText).join('\n');
    expect(englishText).toContain('Full report');
    expect(englishText).not.toContain('完整报告');
    expect(chineseText).toContain('完整报告');
    // Every line of the report's own text is the same in both.
    for (const words of ['@here 新模型发布', '@everyone 请注意', '第二条', 'Twitter AI 报告 · 2026-01-08']) {
      expect(englishText).toContain(words);
      expect(chineseText).toContain(words);
    }
    expect(englishText.replace('Published', '发布于').replace('Full report', '完整报告')).toBe(chineseText);
  });
});
