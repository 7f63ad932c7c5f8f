import { describe, expect, it } from 'vitest';
import { renderDiscordMessages, renderDiscordText } from '../../src/render/discord.ts';
import { escapeDiscordMarkdown } from '../../src/render/discord-markdown.ts';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import { makeDigest, oversizedPoints, TEST_IMAGE } from './digest-factory.ts';
import { expectDiscordWithinLimits, expectPointsInOrder, unescapeDiscord } from './payload-checks.ts';

const options = { color: 0x1d9bf0 };

describe('renderDiscordMessages', () => {
  it('renders a small digest as one exact message body', () => {
    const messages = renderDiscordMessages(
      makeDigest({ image: TEST_IMAGE, url: 'https://x.test/r', note: '补发 2026-01-02' }),
      options,
    );
    expect(messages).toEqual([
      {
        body: {
          embeds: [
            {
              title: 'Twitter AI 报告 · 2026-01-03',
              url: 'https://x.test/r',
              description:
                '*补发 2026-01-02*\n\n**1. 编程工作流程根本性变革**\n开发者工作模式正从手写代码转向AI监管和微调。\n\n**2. 递归语言模型**\n该技术允许模型与自身提示进行交互。',
              image: { url: 'attachment://wordcloud-2026-01-03.jpg' },
              footer: { text: '人工智能行业Twitter推文分析报告' },
              timestamp: '2026-01-03T06:34:15.000Z',
              color: 0x1d9bf0,
            },
          ],
          allowed_mentions: { parse: [] },
          attachments: [{ id: 0, filename: 'wordcloud-2026-01-03.jpg' }],
        },
        files: [{ name: 'wordcloud-2026-01-03.jpg', path: TEST_IMAGE.path, bytes: TEST_IMAGE.bytes }],
      },
    ]);
  });

  it('omits url, image, attachments and timestamp when unknown', () => {
    const [message, ...rest] = renderDiscordMessages(makeDigest({ publishedAt: null }), options);
    expect(rest).toEqual([]);
    expect(message!.files).toEqual([]);
    expect(message!.body.attachments).toBeUndefined();
    const embed = message!.body.embeds[0]!;
    expect(Object.keys(embed)).toEqual(['title', 'description', 'footer', 'color']);
  });

  it.each([
    [40, 3000],
    [10, 9000],
    [200, 60],
    [3, 20000],
  ])('keeps %i points of %i chars within every limit, all present in order', (count, size) => {
    const points = oversizedPoints(count, size);
    const messages = renderDiscordMessages(makeDigest({ points, image: TEST_IMAGE }), options);
    expect(messages.length).toBeGreaterThan(1);
    expectPointsInOrder(unescapeDiscord(expectDiscordWithinLimits(messages)), points);
    // Image and files only on the first message; footer only on the very last embed.
    expect(messages.slice(1).every((m) => m.files.length === 0 && m.body.attachments === undefined)).toBe(true);
    const embeds = messages.flatMap((m) => m.body.embeds);
    expect(embeds.filter((e) => e.footer).length).toBe(1);
    expect(embeds.at(-1)!.footer).toBeDefined();
    expect(embeds.filter((e) => e.image).length).toBe(1);
  });

  it('uses up to ten embeds per message before starting another', () => {
    const messages = renderDiscordMessages(makeDigest({ points: oversizedPoints(60, 700) }), options);
    for (const message of messages.slice(0, -1)) {
      const total = message.body.embeds.reduce((n, e) => n + (e.description?.length ?? 0) + (e.title?.length ?? 0), 0);
      // A message closes only when neither another embed nor the next block would fit.
      expect(message.body.embeds.length === DISCORD_LIMITS.embedsPerMessage || total > DISCORD_LIMITS.embedTotalChars - 1500).toBe(true);
    }
  });

  it('escapes markdown specials and neutralises mentions in report text', () => {
    const [message] = renderDiscordMessages(
      makeDigest({
        points: [{ title: '**粗体** _斜_ ~~删~~ `code` |x| > q # h [l](u)', detail: '@everyone @here <@123> \\ - list\n1. one' }],
      }),
      options,
    );
    const description = message!.body.embeds[0]!.description!;
    expect(description).toBe(
      '**1. \\*\\*粗体\\*\\* \\_斜\\_ \\~\\~删\\~\\~ \\`code\\` \\|x\\| \\> q \\# h \\[l\\](u)**\n' +
        '@\u200beveryone @\u200bhere \\<@123\\> \\\\ - list\n1\\. one',
    );
    expect(message!.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('attachment names (Discord keeps only ASCII letters, digits, _ - .)', () => {
  it.each([
    ['词云 图 (1).png', '报告 特别版_20260313', '2026-03-13', '2026-03-13', 'wordcloud-2026-03-13.png'],
    ['wordcloud_报告 特别版_20260313.JPG', '报告 特别版_20260313', '2026-03-13', '2026-03-13', 'wordcloud-2026-03-13.jpg'],
    ['wordcloud_twitter_ai_20260105_20260111.png', 'twitter_ai_20260105_20260111', '2026-01-05', '2026-01-11', 'wordcloud-2026-01-05_2026-01-11.png'],
    ['no extension', 'x', '2026-01-03', '2026-01-03', 'wordcloud-2026-01-03.png'],
  ])('%s (slug %s) → %s', (name, slug, dateStart, dateEnd, expected) => {
    const [message] = renderDiscordMessages(makeDigest({ slug, dateStart, dateEnd, image: { ...TEST_IMAGE, name } }), options);
    expect(message!.files.map((f) => f.name)).toEqual([expected]);
    expect(message!.body.embeds[0]!.image).toEqual({ url: `attachment://${expected}` });
    expect(message!.body.attachments).toEqual([{ id: 0, filename: expected }]);
    expect(expected).toMatch(/^[A-Za-z0-9_.-]+$/);
  });
});

describe('links and titles', () => {
  it('does not escape inside bare URLs, so Discord still links them', () => {
    const [message] = renderDiscordMessages(
      makeDigest({ points: [{ title: '见 https://github.com/foo_bar/a*b_c', detail: '代码 https://x.test/a_b?q=1&r=~2#frag_x。另见 foo_bar' }] }),
      options,
    );
    const description = message!.body.embeds[0]!.description!;
    // Left as written and delimited with <…>, so the closing ** or the CJK text after it is not part of the link.
    expect(description).toContain('**1. 见 <https://github.com/foo_bar/a*b_c>**');
    expect(description).toContain('代码 <https://x.test/a_b?q=1&r=~2#frag_x>。');
    // Text around the links is still escaped.
    expect(description).toContain('foo\\_bar');
    expect(description.endsWith('另见 foo\\_bar')).toBe(true);
  });

  it('a point without a title shows its number and its detail', () => {
    const [message] = renderDiscordMessages(makeDigest({ points: [{ title: '', detail: '只有细节。' }] }), options);
    expect(message!.body.embeds[0]!.description).toBe('**1.**\n只有细节。');
  });
});

describe('escapeDiscordMarkdown', () => {
  it.each([
    ['- item', '\\- item'],
    ['+ item', '\\+ item'],
    ['a - b', 'a - b'],
    ['GPT-5.2', 'GPT-5.2'],
    ['<think>', '\\<think\\>'],
    ['中文😀', '中文😀'],
    ['(https://x.test/a_b).', '(<https://x.test/a_b>).'],
    ['https://x.test/@everyone', '<https://x.test/@everyone>'],
    ['https:// not a link_', 'https:// not a link\\_'],
  ])('%s', (input, expected) => {
    expect(escapeDiscordMarkdown(input)).toBe(expected);
  });
});

describe('renderDiscordText', () => {
  it('splits at 2000 with mentions silenced and keeps all text', () => {
    const text = '这是一句话。'.repeat(800);
    const messages = renderDiscordText(text);
    expect(messages.length).toBe(3);
    for (const m of messages) {
      expect(m.body.content!.length).toBeLessThanOrEqual(DISCORD_LIMITS.contentChars);
      expect(m.body.allowed_mentions).toEqual({ parse: [] });
      expect(m.body.content!.endsWith('。')).toBe(true);
    }
    expect(messages.map((m) => m.body.content).join('')).toBe(text);
  });
});
