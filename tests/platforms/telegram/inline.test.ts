import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandDeps } from '../../../src/commands/deps.ts';
import { createCommandRouter } from '../../../src/commands/router.ts';
import { createDigestBuilder } from '../../../src/digest-builder.ts';
import { silentLogger } from '../../../src/log.ts';
import { parseTelegramHtml } from '../../../src/render/telegram-html.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import type { Report } from '../../../src/report/types.ts';
import { ReportSearch } from '../../../src/search/report-search.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { contentLibrary } from '../../commands/command-harness.ts';
import { startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const USER = 7301;

describe('Telegram inline mode', () => {
  let h: TelegramHarness;
  let store: SqliteStore;
  let search: ReportSearch;

  beforeAll(async () => {
    const library = await contentLibrary();
    search = new ReportSearch(library);
    await search.start();
    store = await SqliteStore.open(':memory:');
    const dir = mkdtempSync(path.join(tmpdir(), 'tg-inline-'));
    const cloud = path.join(dir, 'wordcloud_twitter_ai_20260103_20260103.png');
    writeFileSync(cloud, Buffer.alloc(3000, 7));
    const image: DigestImage = { path: cloud, name: path.basename(cloud), bytes: 3000, generated: false };
    const lookup = (report: Report): DigestImage | null => (report.slug === 'twitter_ai_20260103_20260103' ? image : null);
    const deps: CommandDeps = {
      library,
      digests: createDigestBuilder(
        { digest: { detailMaxChars: 90, reportUrlTemplate: 'https://example.com/{slug}', titlePrefix: 'Twitter AI 报告' } },
        { imageFor: async (report) => lookup(report), cachedImageFor: lookup },
        library,
      ),
      store,
      search,
      reposter: { repost: async () => ({ delivered: 0, failed: 0, deactivated: 0, errors: [] }) },
      timezone: 'Asia/Shanghai',
      now: () => new Date('2026-01-22T02:00:00Z'),
      logger: silentLogger(),
    };
    h = await startTelegramHarness({ router: createCommandRouter(deps) });
    h.fake.addChat({ id: USER, type: 'private' });
    await h.platform.start();
  });
  afterAll(async () => {
    await search.stop();
    await h.close();
    await store.close();
  });

  async function inline(query: string) {
    const id = h.fake.sendInlineQuery({ query, from: { id: USER } });
    const deadline = Date.now() + 5000;
    for (;;) {
      const answer = h.fake.inlineAnswers.find((a) => a.inlineQueryId === id);
      if (answer) return answer.results;
      if (Date.now() > deadline) throw new Error(`no answer to inline query ${query}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const messageText = (result: Record<string, unknown>): string => {
    const html = String((result['input_message_content'] as { message_text: string }).message_text);
    const parsed = parseTelegramHtml(html);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.text;
  };

  it('a date offers that day\'s digest as one HTML message, the digest as the bot posts it', async () => {
    const results = await inline('2026-01-02');
    expect(results.map((r) => r['type'])).toEqual(['article']);
    const text = messageText(results[0]!);
    expect(text).toContain('2026-01-02');
    expect(text).toMatch(/1\. .+[\s\S]*10\. /);
    expect((results[0]!['input_message_content'] as Record<string, unknown>)['parse_mode']).toBe('HTML');
  });

  it('latest offers the newest digest', async () => {
    const results = await inline('latest');
    expect(messageText(results[0]!)).toContain('2026-01-22');
  });

  it('words offer the days they occur in, best first', async () => {
    const results = await inline('RLM');
    expect(results.map((r) => messageText(r).match(/\d{4}-\d{2}-\d{2}/)?.[0])).toEqual(['2026-01-03', '2026-01-02']);
    expect(await inline('量子纠缠')).toEqual([]);
  });

  it('once Telegram has the word cloud, the day is also offered as a cached photo', async () => {
    expect((await inline('2026-01-03')).map((r) => r['type'])).toEqual(['article']);
    // Sending the digest once uploads the picture and teaches the bot its file_id.
    h.fake.sendText('/report 2026-01-03', { chatId: USER, from: { id: USER } });
    await h.fake.waitFor((sent) => sent.some((m) => m.method === 'sendPhoto' && m.chatId === USER));
    const results = await inline('20260103');
    expect(results.map((r) => r['type'])).toEqual(['article', 'photo']);
    const photo = results[1]!;
    expect(String(photo['photo_file_id'])).toMatch(/^AgACAgfake/);
    expect(String(photo['caption'])).toContain('2026-01-03');
  });
});
