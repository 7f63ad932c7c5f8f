import { beforeEach, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/platforms/platform.ts';
import { contextFor, createHarness, run, textOf, type Harness } from './command-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const group: Destination = { platform: 'telegram', chatId: '-1001234', threadId: null };
const channel: Destination = { platform: 'discord', chatId: '555', threadId: null };
const discordAdmin = () => contextFor({ platform: 'discord', destination: channel, guildId: '900', manages: true, locale: 'en' });
const defaults = { mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null };

describe('/settings', () => {
  it('tells a chat that is not subscribed so, and stores nothing', async () => {
    const reply = await run(h, 'settings', { silent: 'on' }, contextFor({ manages: true }));
    expect(textOf(reply)).toContain('还没有订阅');
    expect(await h.store.listSubscriptions()).toEqual([]);
  });

  it('without options shows the current settings; with options changes only those', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    expect(textOf(await run(h, 'settings', {}, contextFor({ manages: true })))).toBe(
      ['这里的推送设置：', '静默推送：关', '词云图：发送', '语言：默认（中文）', '细节：默认（按机器人的设置）'].join('\n'),
    );
    const changed = textOf(await run(h, 'settings', { silent: 'on', wordcloud: 'off' }, contextFor({ manages: true })));
    expect(changed).toContain('已更新');
    expect(changed).toContain('静默推送：开');
    expect(changed).toContain('词云图：不发送');
    await run(h, 'settings', { language: 'en' }, contextFor({ manages: true }));
    expect((await h.store.getSubscription(group))?.options).toEqual({ ...defaults, silent: true, wordcloud: false, language: 'en' });
  });

  it('refuses a role on Telegram with a clear reason, changing nothing', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    const reply = await run(h, 'settings', { role: '@AI-news', silent: 'on' }, contextFor({ manages: true }));
    expect(textOf(reply)).toContain('Telegram 没有身份组');
    expect((await h.store.getSubscription(group))?.options).toEqual(defaults);
    expect(h.logs.at(-1)).toMatchObject({ command: 'settings', outcome: 'invalid-input' });
  });

  it('sets and clears a Discord role; shows it as a mention', async () => {
    await run(h, 'subscribe', {}, discordAdmin());
    const set = textOf(await run(h, 'settings', { role: '223456789012345678' }, discordAdmin()));
    expect(set).toContain('Role mentioned: <@&223456789012345678>');
    expect((await h.store.getSubscription(channel))?.options.mentionRoleId).toBe('223456789012345678');
    await run(h, 'settings', { role: 'none' }, discordAdmin());
    expect((await h.store.getSubscription(channel))?.options.mentionRoleId).toBeNull();
  });

  it('sets a Discord layout (and default back to discord.layout); /subscribe takes it too', async () => {
    await run(h, 'subscribe', { layout: 'embeds' }, discordAdmin());
    expect((await h.store.getSubscription(channel))?.options.layout).toBe('embeds');
    const shown = textOf(await run(h, 'settings', {}, discordAdmin()));
    expect(shown).toContain('Layout: embeds');
    expect(textOf(await run(h, 'settings', { layout: 'components' }, discordAdmin()))).toContain('Layout: components (one message)');
    expect((await h.store.getSubscription(channel))?.options.layout).toBe('components');
    expect(textOf(await run(h, 'settings', { layout: 'default' }, discordAdmin()))).toContain('Layout: default');
    expect((await h.store.getSubscription(channel))?.options).toEqual(defaults);
  });

  it('refuses a layout on Telegram with a clear reason, changing nothing; Telegram shows no layout line', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    const reply = await run(h, 'settings', { layout: 'embeds', silent: 'on' }, contextFor({ manages: true }));
    expect(textOf(reply)).toContain('Telegram 只有一种排版');
    expect((await h.store.getSubscription(group))?.options).toEqual(defaults);
    expect(textOf(await run(h, 'settings', {}, contextFor({ manages: true })))).not.toContain('排版');
  });

  it.each([
    [{ layout: 'cards' }, 'components or embeds'],
    [{ silent: 'loud' }, 'silent'],
    [{ wordcloud: 'maybe' }, 'wordcloud'],
    [{ language: 'fr' }, 'zh or en'],
    [{ role: 'AI-news' }, 'not a role'],
  ])('explains a bad value %o', async (args, words) => {
    await run(h, 'subscribe', {}, discordAdmin());
    const reply = await run(h, 'settings', args, discordAdmin());
    expect(textOf(reply)).toContain(words);
    expect((await h.store.getSubscription(channel))?.options).toEqual(defaults);
  });

  it('folds or unfolds the details on Telegram, and back to the default; the words are the same as the other switches', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    expect(textOf(await run(h, 'settings', { collapse: 'off' }, contextFor({ manages: true })))).toContain('细节：展开');
    expect((await h.store.getSubscription(group))?.options.collapseDetails).toBe(false);
    expect(textOf(await run(h, 'settings', { collapse: '开' }, contextFor({ manages: true })))).toContain('细节：折叠');
    expect((await h.store.getSubscription(group))?.options.collapseDetails).toBe(true);
    await run(h, 'settings', { collapse: 'default' }, contextFor({ manages: true }));
    expect((await h.store.getSubscription(group))?.options.collapseDetails).toBeNull();
    expect(textOf(await run(h, 'settings', { collapse: 'sometimes' }, contextFor({ manages: true })))).toContain('collapse「sometimes」无效');
  });

  it('refuses collapse on Discord with a reason, changing nothing; Discord settings have no details line', async () => {
    await run(h, 'subscribe', {}, discordAdmin());
    const reply = textOf(await run(h, 'settings', { collapse: 'on', silent: 'on' }, discordAdmin()));
    expect(reply).toContain('Discord digests always show the details in full');
    expect((await h.store.getSubscription(channel))?.options).toEqual(defaults);
    expect(textOf(await run(h, 'settings', {}, discordAdmin()))).not.toContain('Details');
  });

  it('needs the manage right, like /subscribe', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    const reply = await run(h, 'settings', { silent: 'on' }, contextFor({ manages: false }));
    expect(textOf(reply)).toContain('管理员');
    expect((await h.store.getSubscription(group))?.options.silent).toBe(false);
  });
});

describe('/subscribe with delivery options', () => {
  it('subscribes with options, and a later subscribe with only options keeps the schedule', async () => {
    const first = textOf(await run(h, 'subscribe', { time: '08:30', silent: 'on', language: 'en' }, contextFor({ manages: true })));
    expect(first).toContain('已订阅');
    expect(first).toContain('静默推送：开');
    await run(h, 'subscribe', { wordcloud: 'off' }, contextFor({ manages: true }));
    expect(await h.store.getSubscription(group)).toMatchObject({
      timeOfDay: '08:30',
      options: { ...defaults, silent: true, wordcloud: false, language: 'en' },
    });
    // Without options or time: nothing changes, options kept.
    expect(textOf(await run(h, 'subscribe', {}, contextFor({ manages: true })))).toContain('无需重复订阅');
    expect((await h.store.getSubscription(group))?.options.silent).toBe(true);
  });

  it('subscribes a Telegram chat with folded details off', async () => {
    const reply = textOf(await run(h, 'subscribe', { collapse: 'off' }, contextFor({ manages: true })));
    expect(reply).toContain('已订阅');
    expect(reply).toContain('细节：展开');
    expect((await h.store.getSubscription(group))?.options).toEqual({ ...defaults, collapseDetails: false });
  });

  it('refuses collapse on Discord at subscribe time and subscribes nothing', async () => {
    expect(textOf(await run(h, 'subscribe', { collapse: 'on' }, discordAdmin()))).toContain('collapse cannot be set here');
    expect(await h.store.listSubscriptions()).toEqual([]);
  });

  it('refuses a role on Telegram and subscribes nothing', async () => {
    expect(textOf(await run(h, 'subscribe', { role: '123456789' }, contextFor({ manages: true })))).toContain('Telegram 没有身份组');
    expect(await h.store.listSubscriptions()).toEqual([]);
  });

  it('help lists /settings in both languages', async () => {
    expect(textOf(await run(h, 'help', {}, contextFor()))).toContain('/settings');
    expect(textOf(await run(h, 'help', {}, contextFor({ locale: 'en' })))).toMatch(/\/settings .*delivery/);
  });
});
