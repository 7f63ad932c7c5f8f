import { describe, expect, it } from 'vitest';
import { escapeHtml, parseTelegramHtml } from '../../src/render/telegram-html.ts';

describe('escapeHtml', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<think>x</think>', '&lt;think&gt;x&lt;/think&gt;'],
    ['say "hi"', 'say &quot;hi&quot;'],
    ["it's", "it's"],
    ['&amp;', '&amp;amp;'],
    ['中文😀', '中文😀'],
  ])('%s', (input, expected) => {
    expect(escapeHtml(input)).toBe(expected);
    const parsed = parseTelegramHtml(expected);
    expect(parsed).toEqual({ ok: true, text: input, length: input.length });
  });
});

describe('parseTelegramHtml accepts', () => {
  it.each<[string, string]>([
    ['<b>bold</b> <strong>s</strong> <i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>', 'bold s ieunskd'],
    ['<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', 'xy'],
    ['<a href="https://e.com/?a=1&amp;b=2">link</a>', 'link'],
    ["<a href='https://e.com'>q</a>", 'q'],
    ['<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', '👍'],
    ['<pre><code class="language-ts">const a = 1;</code></pre>', 'const a = 1;'],
    ['<code>x</code>', 'x'],
    ['<blockquote expandable>q</blockquote><blockquote>r</blockquote>', 'qr'],
    ['<b>t</b>\n<blockquote expandable>d <b>b</b> <a href="https://e.com">l</a></blockquote>', 't\nd b l'],
    ['<b><blockquote expandable>q</blockquote></b>', 'q'],
    ['<B>upper</B>', 'upper'],
    ['&#60;&#x3E;&lt;&gt;&amp;&quot;', '<><>&"'],
    ['<b>a<i>b<u>c</u></i></b>', 'abc'],
    ['1 > 0\nnext line', '1 > 0\nnext line'],
    ['', ''],
  ])('%s', (html, text) => {
    expect(parseTelegramHtml(html)).toEqual({ ok: true, text, length: text.length });
  });

  it('counts UTF-16 code units after parsing', () => {
    const result = parseTelegramHtml('<b>😀</b>&amp;中');
    expect(result).toEqual({ ok: true, text: '😀&中', length: 4 });
  });
});

describe('parseTelegramHtml rejects', () => {
  it.each<[string, RegExp]>([
    ['<think>x</think>', /Unsupported start tag "think"/],
    ['<br>', /Unsupported start tag "br"/],
    ['a < b', /Unsupported start tag ""/],
    ['<p>x</p>', /Unsupported start tag "p"/],
    ['<span>x</span>', /must have class "tg-spoiler"/],
    ['<span class="x">x</span>', /must have class "tg-spoiler"/],
    ['<a>x</a>', /non-empty "href"/],
    ['<a href="u" target="_blank">x</a>', /Unsupported attribute "target"/],
    ['<b class="x">x</b>', /Unsupported attribute "class"/],
    ['<code class="language-ts">x</code>', /inside "pre"/],
    ['<tg-emoji>x</tg-emoji>', /emoji-id/],
    ['<b>x', /Can't find end tag corresponding to start tag "b"/],
    ['x</b>', /Unexpected end tag/],
    ['<b><i>x</b></i>', /Unmatched end tag, expected "<\/i>", found "<\/b>"/],
    ['a & b', /entity/],
    ['&nbsp;', /entity/],
    ['&apos;', /entity/],
    ['&#xD800;', /entity/],
    ['&#1114112;', /entity/],
    ['<b', /end of the start tag/],
    ['<b/>', /Self-closing/],
    ['<a href="x"><a href="y">z</a></a>', /Nested "a"/],
    ['<blockquote>a<blockquote>b</blockquote></blockquote>', /Nested "blockquote"/],
    ['<blockquote expandable>a<b><blockquote expandable>b</blockquote></b></blockquote>', /Nested "blockquote"/],
    ['<blockquote expandable="yes">x</blockquote>', /takes no value/],
    ['\uD83D', /UTF-8/],
    ['x\uDE00', /UTF-8/],
  ])('%s', (html, error) => {
    const result = parseTelegramHtml(html);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });

  it('reports the byte offset of the problem in UTF-8', () => {
    const result = parseTelegramHtml('中文<think>');
    expect(result).toEqual({ ok: false, error: 'Unsupported start tag "think" at byte offset 6' });
  });
});
