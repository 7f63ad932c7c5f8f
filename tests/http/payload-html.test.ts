import { describe, expect, it } from 'vitest';
import { discordMarkdownToSafeHtml, telegramHtmlToSafeHtml } from '../../src/http/admin/payload-html.ts';
import { escapeDiscordMarkdown } from '../../src/render/discord-markdown.ts';
import { escapeHtml as escapeTelegram } from '../../src/render/telegram-html.ts';

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '[点我](javascript:alert(1))',
  '**粗体** _斜体_ `代码` & 其他',
];

/** No tag survives except the few the renderers build themselves, and no event handler or script URL. */
function expectInert(html: string): void {
  const tags = [...html.matchAll(/<\/?([a-z]+)([^>]*)>/gi)];
  for (const [, name, attributes] of tags) {
    expect(['b', 'i', 'u', 's', 'code', 'pre', 'blockquote', 'a', 'span', 'br']).toContain(name!.toLowerCase());
    expect(attributes).not.toMatch(/\son\w+\s*=/i);
    expect(attributes).not.toMatch(/javascript:/i);
  }
}

describe('payloads shown on the status page', () => {
  it.each(HOSTILE)('Discord markdown from report text stays text: %s', (text) => {
    const html = discordMarkdownToSafeHtml(`**${escapeDiscordMarkdown(text)}**\n${escapeDiscordMarkdown(text)}`);
    expectInert(html);
    expect(html.startsWith('<b>')).toBe(true);
  });

  it.each(HOSTILE)('Telegram HTML from report text stays text: %s', (text) => {
    const rendered = telegramHtmlToSafeHtml(`<b>${escapeTelegram(text)}</b>\n<a href="https://example.com/?a=1&amp;b=2">链接</a>`);
    expect(rendered.error).toBeNull();
    expectInert(rendered.html);
    expect(rendered.html).toContain('<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">链接</a>');
  });

  it('formats what the renderers produce: bold, italics, masked links, line breaks', () => {
    expect(discordMarkdownToSafeHtml('**1. 标题**\n细节 [完整报告](https://example.com/x?a=1&b=2)')).toBe(
      '<b>1. 标题</b><br>细节 <a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer">完整报告</a>',
    );
    expect(discordMarkdownToSafeHtml('\\*not bold\\* and \\<tag\\>')).toBe('*not bold* and &lt;tag&gt;');
  });

  it('Telegram HTML that Telegram would refuse is shown as escaped source with the reason', () => {
    const rendered = telegramHtmlToSafeHtml('<div onclick="x">bad</div>');
    expect(rendered.error).toMatch(/Unsupported start tag|div/);
    expect(rendered.html).toBe('<pre class="raw">&lt;div onclick=&quot;x&quot;&gt;bad&lt;/div&gt;</pre>');
  });

  it('only http(s) and tg: links become links', () => {
    expect(telegramHtmlToSafeHtml('<a href="javascript:alert(1)">x</a>').html).toBe('<a>x</a>');
    expect(discordMarkdownToSafeHtml('[x](javascript:alert(1))')).not.toContain('href');
  });
});
