import { describe, expect, it } from 'vitest';
import { TELEGRAM_LIMITS } from '../../src/render/limits.ts';
import { renderTelegramCalls, renderTelegramText } from '../../src/render/telegram.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';
import { makeDigest, oversizedPoints, TEST_IMAGE } from './digest-factory.ts';
import { expectPointsInOrder, expectTelegramValid } from './payload-checks.ts';

describe('renderTelegramCalls', () => {
  it('sends the photo with a short caption, then the points as HTML', () => {
    const calls = renderTelegramCalls(
      makeDigest({ image: TEST_IMAGE, url: 'https://x.test/r?a=1&b=2', note: '补发 <2026-01-02>' }),
    );
    expect(calls).toEqual([
      {
        method: 'sendPhoto',
        params: {
          caption: '<b>Twitter AI 报告 · 2026-01-03</b>\n人工智能行业Twitter推文分析报告\n发布于 2026-01-03 14:34',
          parse_mode: 'HTML',
        },
        photo: { name: TEST_IMAGE.name, path: TEST_IMAGE.path, bytes: TEST_IMAGE.bytes },
      },
      {
        method: 'sendMessage',
        params: {
          text:
            '<b>Twitter AI 报告 · 2026-01-03</b>\n\n<i>补发 &lt;2026-01-02&gt;</i>\n\n' +
            '<b>1. 编程工作流程根本性变革</b>\n开发者工作模式正从手写代码转向AI监管和微调。\n\n' +
            '<b>2. 递归语言模型</b>\n该技术允许模型与自身提示进行交互。\n\n' +
            '<a href="https://x.test/r?a=1&amp;b=2">完整报告</a>',
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        },
      },
    ]);
    expectTelegramValid(calls);
  });

  it('without an image sends messages only, with the headline under the title', () => {
    const calls = renderTelegramCalls(makeDigest({ publishedAt: null }));
    expect(calls.map((c) => c.method)).toEqual(['sendMessage']);
    const text = calls[0]!.method === 'sendMessage' ? calls[0]!.params.text : '';
    expect(text.startsWith('<b>Twitter AI 报告 · 2026-01-03</b>\n人工智能行业Twitter推文分析报告\n\n<b>1. ')).toBe(true);
  });

  it.each([
    ['stray tags', '<think>推理</think>', '&lt;think&gt;推理&lt;/think&gt;'],
    ['ampersands and quotes', 'A&B "引用" \'单\'', 'A&amp;B &quot;引用&quot; \'单\''],
    ['markdown specials stay literal', '**粗** _斜_ `c` [l](u)', '**粗** _斜_ `c` [l](u)'],
    ['mentions stay literal', '@everyone @here', '@everyone @here'],
    ['entities are not double-decoded', '&amp; &lt;', '&amp;amp; &amp;lt;'],
  ])('escapes %s', (_, raw, escaped) => {
    const calls = renderTelegramCalls(makeDigest({ points: [{ title: raw, detail: raw }] }));
    const text = calls[0]!.method === 'sendMessage' ? calls[0]!.params.text : '';
    expect(text).toContain(`<b>1. ${escaped}</b>\n${escaped}`);
    const parsed = parseTelegramHtml(text);
    expect(parsed.ok && parsed.text.includes(`1. ${raw}\n${raw}`)).toBe(true);
  });

  it.each([
    [40, 3000],
    [10, 9000],
    [300, 40],
    [2, 30000],
  ])('splits %i points of %i chars into valid messages, all present in order', (count, size) => {
    const points = oversizedPoints(count, size);
    const calls = renderTelegramCalls(makeDigest({ points, image: TEST_IMAGE, url: 'https://x.test/r' }));
    expect(calls[0]!.method).toBe('sendPhoto');
    const all = expectTelegramValid(calls);
    expect(calls.length).toBeGreaterThan(2);
    expectPointsInOrder(all, points);
    expect(all.endsWith('完整报告')).toBe(true);
  });

  it('folded: each detail in an expandable blockquote under its bold title, the same characters as unfolded', () => {
    const digest = makeDigest({ image: TEST_IMAGE, url: 'https://x.test/r' });
    const calls = renderTelegramCalls(digest, { collapseDetails: true });
    const text = calls[1]!.method === 'sendMessage' ? calls[1]!.params.text : '';
    expect(text).toBe(
      '<b>Twitter AI 报告 · 2026-01-03</b>\n\n' +
        '<b>1. 编程工作流程根本性变革</b>\n<blockquote expandable>开发者工作模式正从手写代码转向AI监管和微调。</blockquote>\n\n' +
        '<b>2. 递归语言模型</b>\n<blockquote expandable>该技术允许模型与自身提示进行交互。</blockquote>\n\n' +
        '<a href="https://x.test/r">完整报告</a>',
    );
    expect(expectTelegramValid(calls)).toBe(expectTelegramValid(renderTelegramCalls(digest)));
  });

  it.each([
    [40, 3000],
    [2, 30000],
  ])('folded: %i points of %i chars split at the same places, every piece of a detail in its own quote, none nested', (count, size) => {
    const points = oversizedPoints(count, size);
    const digest = makeDigest({ points, url: 'https://x.test/r' });
    const folded = renderTelegramCalls(digest, { collapseDetails: true });
    const plain = renderTelegramCalls(digest);
    expect(folded.length).toBe(plain.length);
    folded.forEach((call, i) => {
      const a = call.method === 'sendMessage' ? parseTelegramHtml(call.params.text) : null;
      const b = plain[i]!.method === 'sendMessage' ? parseTelegramHtml(plain[i]!.params.text) : null;
      expect(a?.ok && b?.ok && a.text === b.text).toBe(true);
      const html = call.method === 'sendMessage' ? call.params.text : '';
      expect(html.split('<blockquote expandable>').length - 1).toBe(html.split('</blockquote>').length - 1);
    });
    expect(folded.filter((c) => c.method === 'sendMessage' && c.params.text.includes('<blockquote expandable>')).length).toBeGreaterThanOrEqual(count === 2 ? 8 : 20);
  });

  it('link previews: off everywhere, unless asked, when only the message with the full-report link previews it', () => {
    const points = oversizedPoints(10, 3000);
    const withLink = renderTelegramCalls(makeDigest({ points, url: 'https://x.test/r?a=1&b=2' }), { previewReportLink: true });
    const previews = withLink.map((c) => (c.method === 'sendMessage' ? c.params.link_preview_options : null));
    expect(previews.at(-1)).toEqual({ url: 'https://x.test/r?a=1&b=2', prefer_large_media: true });
    expect(previews.slice(0, -1).every((p) => JSON.stringify(p) === JSON.stringify({ is_disabled: true }))).toBe(true);
    expect(withLink.length).toBeGreaterThan(2);
    // No report link (no reportUrlTemplate): nothing to preview, a point's link never unfurls.
    const withoutLink = renderTelegramCalls(makeDigest({ url: null, points: [{ title: '见 https://x.test/a', detail: 'https://x.test/b' }] }), { previewReportLink: true });
    expect(withoutLink.map((c) => (c.method === 'sendMessage' ? c.params.link_preview_options : null))).toEqual([{ is_disabled: true }]);
  });

  it('shortens an enormous headline so the caption stays within 1,024', () => {
    const calls = renderTelegramCalls(makeDigest({ image: TEST_IMAGE, headline: '超长标题<&>'.repeat(500) }));
    const caption = calls[0]!.method === 'sendPhoto' ? calls[0]!.params.caption : '';
    const parsed = parseTelegramHtml(caption);
    expect(parsed.ok && parsed.length <= TELEGRAM_LIMITS.captionChars).toBe(true);
    expect(caption.endsWith('…\n发布于 2026-01-03 14:34')).toBe(true);
  });
});

describe('renderTelegramText', () => {
  it('escapes and splits plain text at 4,096 without losing any', () => {
    const text = '结果 <b>不是标签</b> & 更多。'.repeat(400);
    const calls = renderTelegramText(text);
    expect(calls.length).toBeGreaterThan(1);
    expect(expectTelegramValid(calls).replace(/\n\n/g, '')).toBe(text);
  });
});
