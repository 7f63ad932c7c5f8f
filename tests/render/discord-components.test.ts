import { enableValidators } from '@discordjs/builders';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDiscordMessages } from '../../src/render/discord.ts';
import { MIN_DETAIL_CHARS, renderDiscordComponents } from '../../src/render/discord-components.ts';
import { renderDiscordDigest } from '../../src/render/discord-layout.ts';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import { IS_COMPONENTS_V2, type DiscordComponentsMessage, type DiscordContainerChild } from '../../src/render/payload-types.ts';
import { makeDigest, oversizedPoints, TEST_IMAGE } from './digest-factory.ts';
import { componentsText, componentsV2Problems } from './payload-checks.ts';

beforeAll(() => {
  enableValidators();
});

const COLOR = 0x1d9bf0;
const children = (message: DiscordComponentsMessage): DiscordContainerChild[] => message.body.components[0]!.components;
const expectValid = (messages: DiscordComponentsMessage[]): void => {
  for (const [i, message] of messages.entries()) {
    expect(componentsV2Problems(message.body as unknown as Record<string, unknown>, message.files), `message ${i + 1}`).toEqual([]);
  }
};
const tenPoints = (detail: string, withLinks = false) =>
  Array.from({ length: 10 }, (_, i) => ({
    title: `要点 ${i + 1}`,
    detail,
    ...(withLinks ? { links: [{ text: `要点 ${i + 1}`, url: `https://example.com/${i + 1}` }] } : {}),
  }));

describe('renderDiscordComponents: the digest as one Components V2 message', () => {
  it('a container in the accent colour: heading, the points (a section with a link button where there is a link), the word cloud, a separator, the buttons', () => {
    const points = tenPoints('细节。');
    points[2] = { ...points[2]!, links: [{ text: '要点 3', url: 'https://example.com/three' }] };
    const digest = makeDigest({ points, image: TEST_IMAGE, url: 'https://example.com/r.html', navigation: { previous: '2026-01-02', next: null } });
    const messages = renderDiscordComponents(digest, { color: COLOR });
    expect(messages).toHaveLength(1);
    expectValid(messages);
    const [message] = messages;
    expect(message!.body.flags).toBe(IS_COMPONENTS_V2);
    expect(message!.body.components).toHaveLength(1);
    expect(message!.body.components[0]).toMatchObject({ type: 17, accent_color: COLOR });
    expect(children(message!).map((c) => c.type)).toEqual([10, 10, 10, 9, 10, 10, 10, 10, 10, 10, 10, 12, 14, 1]);
    expect(children(message!)[0]).toMatchObject({ type: 10, content: expect.stringContaining('## [Twitter AI 报告 · 2026-01-03](https://example.com/r.html)') });
    expect(children(message!)[3]).toMatchObject({
      type: 9,
      components: [{ type: 10, content: '**3. [要点 3](https://example.com/three)**\n细节。' }],
      accessory: { type: 2, style: 5, label: '要点 3', url: 'https://example.com/three' },
    });
    const name = 'wordcloud-2026-01-03.jpg';
    expect(children(message!)[11]).toEqual({ type: 12, items: [{ media: { url: `attachment://${name}` } }] });
    expect(message!.files).toEqual([{ name, path: TEST_IMAGE.path, bytes: TEST_IMAGE.bytes }]);
    expect(message!.body.attachments).toEqual([{ id: 0, filename: name }]);
    expect(JSON.stringify(children(message!)[13])).toContain('"custom_id":"show:20260102"');
  });

  it('a long report is condensed into one message: details shortened first, every title kept', () => {
    const digest = makeDigest({ points: oversizedPoints(10, 1000), image: TEST_IMAGE, navigation: { previous: null, next: '2026-01-04' } });
    const messages = renderDiscordComponents(digest, { color: COLOR });
    expect(messages).toHaveLength(1);
    expectValid(messages);
    const text = componentsText(messages[0]!.body as unknown as Record<string, unknown>);
    expect(text.length).toBeLessThanOrEqual(DISCORD_LIMITS.textDisplayTotalChars);
    // Not shortened more than needed: the budget is nearly used.
    expect(text.length).toBeGreaterThan(DISCORD_LIMITS.textDisplayTotalChars - 400);
    for (let i = 1; i <= 10; i += 1) expect(text).toContain(`**${i}. 要点 ${i}`);
    expect(text.match(/…/g)?.length).toBe(10);
  });

  it('titles too long for one message together continue in a second container, nothing dropped', () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ title: `${'很长的标题'.repeat(40)} ${i + 1}`, detail: '细节。'.repeat(50) }));
    const digest = makeDigest({ points, image: TEST_IMAGE, navigation: { previous: '2026-01-02', next: '2026-01-04' } });
    const messages = renderDiscordComponents(digest, { color: COLOR });
    expect(messages.length).toBeGreaterThan(1);
    expectValid(messages);
    // The word cloud and buttons stay with the first message (the one the buttons edit); the rest are points only.
    expect(messages[0]!.files).toHaveLength(1);
    for (const later of messages.slice(1)) {
      expect(later.files).toEqual([]);
      expect(later.body.components[0]).toMatchObject({ type: 17, accent_color: COLOR });
      expect(children(later).every((c) => c.type === 10)).toBe(true);
    }
    const text = messages.map((m) => componentsText(m.body as unknown as Record<string, unknown>)).join('\n');
    for (let i = 1; i <= 30; i += 1) expect(text).toContain(` ${i}**`);
    // Details at the floor, not below it.
    expect(text).toContain(`${'细节。'.repeat(MIN_DETAIL_CHARS / 3 - 1)}`);
  });

  it('more linked points than sections fit: plain text displays, at most 40 components', () => {
    const points = Array.from({ length: 16 }, (_, i) => ({ title: `要点 ${i + 1}`, detail: '细节。', links: [{ text: '细节', url: `https://example.com/${i}` }] }));
    const digest = makeDigest({ points, image: TEST_IMAGE, url: 'https://example.com/r', navigation: { previous: '2026-01-02', next: null } });
    const messages = renderDiscordComponents(digest, { color: COLOR });
    expect(messages).toHaveLength(1);
    expectValid(messages);
    expect(children(messages[0]!).some((c) => c.type === 9)).toBe(false);
    // A hundred points still fit: neighbours share text displays.
    const many = renderDiscordComponents(makeDigest({ points: Array.from({ length: 100 }, (_, i) => ({ title: `点${i}`, detail: '' })) }), { color: COLOR });
    expectValid(many);
    expect(many).toHaveLength(1);
  });

  it('a role is mentioned in the heading and alone may ping; silent adds SUPPRESS_NOTIFICATIONS; no word cloud, no gallery', () => {
    const digest = makeDigest({ image: TEST_IMAGE, points: [{ title: '@everyone 来了', detail: '<@123>' }] });
    const [message] = renderDiscordComponents(digest, { color: COLOR, mentionRoleId: '42', silent: true, withImage: false });
    expectValid([message!]);
    expect(message!.body.flags).toBe(IS_COMPONENTS_V2 | (1 << 12));
    expect(message!.body.allowed_mentions).toEqual({ parse: [], roles: ['42'] });
    expect(children(message!)[0]).toMatchObject({ content: expect.stringMatching(/^<@&42>\n## /) });
    expect(message!.files).toEqual([]);
    expect(children(message!).some((c) => c.type === 12)).toBe(false);
    expect(JSON.stringify(message)).toContain('@\u200beveryone');
    const [unsafe] = renderDiscordComponents(digest, { color: COLOR, mentionRoleId: '@everyone' });
    expect(unsafe!.body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('renderDiscordDigest picks the layout', () => {
  it('embeds: exactly today’s embed rendering; components: the V2 one', () => {
    const digest = makeDigest({ points: oversizedPoints(10, 900), image: TEST_IMAGE, navigation: { previous: '2026-01-02', next: null } });
    expect(renderDiscordDigest(digest, { color: COLOR, layout: 'embeds' })).toEqual(renderDiscordMessages(digest, { color: COLOR }));
    expect(renderDiscordDigest(digest, { color: COLOR, layout: 'components' })).toEqual(renderDiscordComponents(digest, { color: COLOR }));
  });
});
