import { describe, expect, it } from 'vitest';
import { renderDiscordMessages } from '../../src/render/discord.ts';
import { safeLinkUrl } from '../../src/render/link-segments.ts';
import { parseTelegramHtml } from '../../src/render/telegram-html.ts';
import { renderTelegramCalls } from '../../src/render/telegram.ts';
import { condenseReport } from '../../src/report/condense.ts';
import { parseReport } from '../../src/report/parse-report.ts';

const REPORT = `---
layout: post
title: "twitter_ai_20260108_20260108"
date: "2026-01-08 14:34:15 +0800"
---

# 链接测试报告

### 核心信息

1. **[OpenAI](https://openai.com/blog) 发布新模型**：详见[发布说明](https://example.com/notes?a=1&b="2")与[维基](https://en.wikipedia.org/wiki/Foo_(bar))。
2. **不安全的链接**：[点我](javascript:alert(1)) 和 [本地文件](file:///etc/passwd) 以及 [相对](/posts/x)。
3. **没有链接的要点**：普通文字 <b>不是标签</b>。
`;

const digest = condenseReport(
  parseReport(REPORT, '/tmp/twitter_ai_20260108_20260108.md'),
  { detailMaxChars: 200, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' },
  null,
);

describe('links in report points', () => {
  it('the parser keeps each point\'s links with their text', () => {
    expect(digest.points[0]!.links).toEqual([
      { text: 'OpenAI', url: 'https://openai.com/blog' },
      { text: '发布说明', url: 'https://example.com/notes?a=1&b=%222%22' },
      { text: '维基', url: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
    ]);
    expect(digest.points[2]!.links).toBeUndefined();
  });

  it('only http(s) URLs survive, normalised and with parentheses encoded', () => {
    expect(safeLinkUrl('javascript:alert(1)')).toBeNull();
    expect(safeLinkUrl('file:///etc/passwd')).toBeNull();
    expect(safeLinkUrl('/posts/x')).toBeNull();
    expect(safeLinkUrl('https://en.wikipedia.org/wiki/Foo_(bar)')).toBe('https://en.wikipedia.org/wiki/Foo_%28bar%29');
  });

  it('Telegram: <a href> for http(s) links, plain text for anything else, previews off', () => {
    const calls = renderTelegramCalls(digest);
    const call = calls[0]!;
    if (call.method !== 'sendMessage') throw new Error('expected text');
    const html = call.params.text;
    expect(html).toContain('<b>1. <a href="https://openai.com/blog">OpenAI</a> 发布新模型</b>');
    expect(html).toContain('<a href="https://example.com/notes?a=1&amp;b=%222%22">发布说明</a>');
    expect(html).toContain('<a href="https://en.wikipedia.org/wiki/Foo_%28bar%29">维基</a>');
    expect(html).not.toMatch(/href="(javascript|file|\/posts)/);
    expect(html).toContain('点我');
    expect(html).toContain('&lt;b&gt;不是标签&lt;/b&gt;');
    expect(call.params.link_preview_options).toEqual({ is_disabled: true });
    expect(parseTelegramHtml(html).ok).toBe(true);
  });

  it('Discord: masked links in the embed, plain (escaped) text for anything else', () => {
    const description = renderDiscordMessages(digest, { color: 1 })[0]!.body.embeds.map((e) => e.description ?? '').join('\n');
    expect(description).toContain('**1. [OpenAI](https://openai.com/blog) 发布新模型**');
    expect(description).toContain('[发布说明](https://example.com/notes?a=1&b=%222%22)');
    expect(description).toContain('[维基](https://en.wikipedia.org/wiki/Foo_%28bar%29)');
    // markdown-it does not even read `javascript:` / `file:` targets as links: they stay as the
    // author's literal text, escaped, so Discord never turns them into masked links.
    expect(description).toContain('\\[点我\\](javascript:alert(1))');
    expect(description).toContain('\\[本地文件\\](file:///etc/passwd)');
    expect(description).not.toMatch(/(?<!\\)\]\((javascript|file|\/posts)/);
    expect(description).toContain('以及 相对');
  });
});
