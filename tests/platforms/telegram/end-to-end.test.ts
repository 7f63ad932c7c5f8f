import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../src/commands/deps.ts';
import { createCommandRouter } from '../../../src/commands/router.ts';
import type { RepostRequest } from '../../../src/commands/types.ts';
import { createDigestBuilder } from '../../../src/digest-builder.ts';
import { silentLogger } from '../../../src/log.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { ReportLibrary } from '../../../src/report/library.ts';
import type { Report } from '../../../src/report/types.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../../content');
const USER = 7001;
const ADMIN = 7002;
const MEMBER = 7003;
const GROUP = -1007000;

/**
 * The whole command path: a Telegram update from the fake → grammY → the adapter → the real
 * router, library (content/), digest builder and in-memory SQLite store → the rendered reply,
 * validated by the fake as Telegram would.
 */
describe('Telegram end to end with the real router', () => {
  let h: TelegramHarness;
  let store: SqliteStore;
  let library: ReportLibrary;
  /** Reports with a word cloud on disk; the others have no image. */
  const images = new Map<string, DigestImage>();
  const reposts: RepostRequest[] = [];

  beforeAll(async () => {
    library = await ReportLibrary.open(CONTENT_DIR);
    store = await SqliteStore.open(':memory:');
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-e2e-'));
    const cloud = path.join(dir, 'wordcloud_twitter_ai_20260103_20260103.png');
    writeFileSync(cloud, Buffer.alloc(4096, 3));
    images.set('twitter_ai_20260103_20260103', { path: cloud, name: path.basename(cloud), bytes: 4096, generated: false });
    const lookup = (report: Report): DigestImage | null => images.get(report.slug) ?? null;
    const deps: CommandDeps = {
      library,
      digests: createDigestBuilder(
        { digest: { detailMaxChars: 120, reportUrlTemplate: 'https://example.com/{slug}', titlePrefix: 'Twitter AI 报告' } },
        { imageFor: async (report) => lookup(report), cachedImageFor: lookup },
      ),
      store,
      reposter: {
        async repost(request) {
          reposts.push(request);
          return { delivered: 1, failed: 0, deactivated: 0, errors: [] };
        },
      },
      timezone: 'Asia/Shanghai',
      schedule: '0 9 * * *',
      now: () => new Date('2026-01-22T02:00:00Z'),
      logger: silentLogger(),
    };
    h = await startTelegramHarness({ router: createCommandRouter(deps) });
    h.fake.addChat({ id: USER, type: 'private' });
    h.fake.addChat({ id: GROUP, type: 'supergroup', title: 'AI 讨论组', admins: [ADMIN] });
    await h.platform.start();
  });
  afterAll(async () => {
    await h.close();
    await store.close();
  });

  it('/report 2026-01-03 in a private chat answers with the word cloud and the ten titles', async () => {
    const report = await library.findByDate('2026-01-03');
    expect(report.points.length).toBeGreaterThanOrEqual(10);
    h.fake.sendText('/report 2026-01-03', { chatId: USER });
    const sent = (await h.fake.waitFor((s) => s.some((m) => m.method === 'sendMessage' && m.chatId === USER))).filter(
      (m) => m.chatId === USER,
    );
    expect(sent[0]).toMatchObject({ method: 'sendPhoto', photo: { name: 'wordcloud_twitter_ai_20260103_20260103.png' } });
    const text = sent.filter((m) => m.method === 'sendMessage').map((m) => m.plainText).join('\n');
    for (const point of report.points) expect(text).toContain(point.title);
  });

  it('a report without an image goes out as text only', async () => {
    const before = h.fake.sent.length;
    h.fake.sendText('/report 2026-01-02', { chatId: USER });
    await h.fake.waitFor((s) => s.length > before);
    const reply = h.fake.sent.slice(before);
    expect(reply.every((m) => m.method === 'sendMessage')).toBe(true);
    const report = await library.findByDate('2026-01-02');
    expect(reply.map((m) => m.plainText).join('\n')).toContain(report.points[0]!.title);
  });

  it('subscribes a group for an admin with a time and zone, and refuses a plain member', async () => {
    const group = { platform: 'telegram' as const, chatId: String(GROUP), threadId: null };
    let before = h.fake.sent.length;
    h.fake.sendText('/subscribe 08:30 Europe/Berlin', { chatId: GROUP, from: { id: MEMBER } });
    await h.fake.waitFor((s) => s.length > before);
    expect(await store.getSubscription(group)).toBeNull();

    before = h.fake.sent.length;
    h.fake.sendText('/subscribe 08:30 Europe/Berlin', { chatId: GROUP, from: { id: ADMIN, language_code: 'en' } });
    await h.fake.waitFor((s) => s.length > before);
    expect(await store.getSubscription(group)).toMatchObject({
      active: true,
      timeOfDay: '08:30',
      timezone: 'Europe/Berlin',
      title: 'AI 讨论组',
      subscribedBy: `telegram:${ADMIN}`,
    });
  });

  it("/subscribe with this chat's own id inside a forum topic subscribes that topic", async () => {
    const FORUM = -1001000000777;
    h.fake.addChat({ id: FORUM, type: 'supergroup', title: '论坛', isForum: true, topics: [42], admins: [ADMIN] });
    const before = h.fake.sent.length;
    h.fake.sendText(`/subscribe ${FORUM}`, { chatId: FORUM, threadId: 42, from: { id: ADMIN } });
    await h.fake.waitFor((s) => s.length > before);
    expect((await store.getSubscription({ platform: 'telegram', chatId: String(FORUM), threadId: '42' }))?.active).toBe(true);
    expect(await store.getSubscription({ platform: 'telegram', chatId: String(FORUM), threadId: null })).toBeNull();
  });

  it('answers an unknown date with the nearest report dates', async () => {
    const before = h.fake.sent.length;
    h.fake.sendText('/report 2026-01-10', { chatId: USER });
    await h.fake.waitFor((s) => s.length > before);
    const reply = h.fake.sent.at(-1)!.plainText ?? '';
    expect(reply).toContain('2026-01-03');
    expect(reply).toContain('2026-01-22');
  });

  /** Sends a command to `chatId` as an English-speaking user (the admin by default); the reply's text. */
  const askIn =
    (chatId: number) =>
    async (text: string, from = ADMIN): Promise<string> => {
      const before = h.fake.sent.length;
      h.fake.sendText(text, { chatId, from: { id: from, language_code: 'en' } });
      await h.fake.waitFor((s) => s.length > before);
      return h.fake.sent.slice(before).map((m) => m.plainText).join('\n');
    };

  it('/settings: not subscribed → says so; shows, then changes silent / wordcloud / language; refuses a role', async () => {
    const OTHER = -1007001;
    h.fake.addChat({ id: OTHER, type: 'supergroup', title: 'Other', admins: [ADMIN] });
    const other = { platform: 'telegram' as const, chatId: String(OTHER), threadId: null };
    const ask = askIn(OTHER);
    expect(await ask('/settings silent:on')).toContain('There is no subscription here');
    expect(await store.getSubscription(other)).toBeNull();

    await ask('/subscribe wordcloud:off');
    expect(await ask('/settings')).toBe(['Delivery settings here:', 'Silent delivery: off', 'Word cloud: not sent', 'Language: default (Chinese)', "Details: the bot's default"].join('\n'));
    expect(await ask('/settings silent:on language:en wordcloud:on')).toContain('Silent delivery: on');
    expect((await store.getSubscription(other))?.options).toEqual({ mentionRoleId: null, silent: true, wordcloud: true, language: 'en', layout: null, forumTagId: null, publish: null, collapseDetails: null });

    expect(await ask('/settings role:@AI-news')).toContain('Telegram has no roles');
    expect(await ask('/settings silent:off', MEMBER)).toContain('administrator');
    expect((await store.getSubscription(other))?.options).toEqual({ mentionRoleId: null, silent: true, wordcloud: true, language: 'en', layout: null, forumTagId: null, publish: null, collapseDetails: null });
  });

  it('/settings collapse:off and /status: anyone asks, the answer is for this chat, in its own words', async () => {
    const THIRD = -1007002;
    h.fake.addChat({ id: THIRD, type: 'supergroup', title: 'Third', admins: [ADMIN] });
    const third = { platform: 'telegram' as const, chatId: String(THIRD), threadId: null };
    const ask = askIn(THIRD);
    expect(await ask('/status', MEMBER)).toContain('Not subscribed');
    await ask('/subscribe 08:30 Europe/Berlin collapse:off');
    expect((await store.getSubscription(third))?.options.collapseDetails).toBe(false);
    const status = await ask('/status', MEMBER);
    expect(status).toContain('· Details: shown in full');
    // 2026-01-22 03:00 in Berlin: today's 08:30 is still to come.
    expect(status).toContain('Next digest: 2026-01-22 08:30 (Europe/Berlin)');
    expect(status).toContain('The report of 2026-01-22 has not been sent here yet');
  });

  it('/help lists /settings', async () => {
    const before = h.fake.sent.length;
    h.fake.sendText('/help', { chatId: USER });
    await h.fake.waitFor((s) => s.length > before);
    expect(h.fake.sent.at(-1)!.plainText).toContain('/settings [role:@');
  });
});
