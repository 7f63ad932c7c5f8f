import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { DiscordPlatform } from '../../src/platforms/discord/discord-platform.ts';
import { condenseReport } from '../../src/report/condense.ts';
import { parseReport } from '../../src/report/parse-report.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { SAMPLE_GUILD_IDS, sampleGuild } from '../helpers/fake-discord-harness.ts';
import { scriptedRouter, startTelegramHarness, type TelegramHarness } from '../helpers/fake-telegram-harness.ts';

const REPORT = `---
title: "twitter_ai_20260108_20260108"
date: "2026-01-08 14:34:15 +0800"
---

# 链接

### 核心信息

1. **[OpenAI](https://openai.com/blog?a=1&b=2) 发布新模型**：详见[发布说明](https://example.com/notes_(v2))。
2. **不安全的链接**：[点我](javascript:alert(1)) 与 <script>x</script>。
`;

const digest = {
  ...condenseReport(parseReport(REPORT, '/tmp/twitter_ai_20260108_20260108.md'), { detailMaxChars: 200, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告' }, null),
  navigation: { previous: '2026-01-07', next: null },
};

describe('links and buttons in a delivered digest, through the real clients', () => {
  let telegram: TelegramHarness;
  let fakeDiscord: FakeDiscord;
  let discord: DiscordPlatform;

  beforeAll(async () => {
    telegram = await startTelegramHarness();
    telegram.fake.addChat({ id: -1009100, type: 'supergroup', title: 'g' });
    fakeDiscord = await startFakeDiscord({ enforceRateLimits: false });
    fakeDiscord.addGuild(sampleGuild());
    discord = new DiscordPlatform({ layout: 'embeds', token: fakeDiscord.token, apiBase: fakeDiscord.apiBase, router: scriptedRouter(), logger: silentLogger(), owners: [], mode: 'rest-only' });
  });
  afterAll(async () => {
    await telegram.close();
    await discord.stop();
    await fakeDiscord.close();
  });

  it('Telegram accepts the HTML: links as <a href>, previews off, the keyboard under the text', async () => {
    await telegram.platform.sendDigest({ platform: 'telegram', chatId: '-1009100', threadId: null }, digest, 'k1');
    const sent = telegram.fake.sent.at(-1)!;
    expect(sent.text).toContain('<a href="https://openai.com/blog?a=1&amp;b=2">OpenAI</a>');
    expect(sent.text).toContain('<a href="https://example.com/notes_%28v2%29">发布说明</a>');
    expect(sent.text).not.toContain('href="javascript');
    expect(sent.plainText).toContain('<script>x</script>');
    expect(telegram.fake.calls.find((c) => c.method === 'sendMessage')!.params['link_preview_options']).toEqual({ is_disabled: true });
    expect(sent.replyMarkup!.inline_keyboard.flat().map((b) => b['text'])).toEqual(['◀ 2026-01-07']);
  });

  it('Discord accepts the embed with masked links and the button row', async () => {
    await discord.sendDigest({ platform: 'discord', chatId: SAMPLE_GUILD_IDS.text, threadId: null }, digest, 'k1');
    const body = fakeDiscord.messages.at(-1)!.body;
    const description = (body['embeds'] as { description: string }[]).map((e) => e.description).join('\n');
    expect(description).toContain('[OpenAI](https://openai.com/blog?a=1&b=2)');
    expect(description).toContain('[发布说明](https://example.com/notes_%28v2%29)');
    expect(body['components']).toEqual([
      { type: 1, components: [expect.objectContaining({ label: '◀ 2026-01-07', custom_id: 'show:20260107' }), expect.objectContaining({ label: '▶', disabled: true })] },
    ]);
  });
});
