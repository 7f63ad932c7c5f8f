import { PermissionFlagsBits, REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectTarget } from '../../../src/platforms/discord/bot-permissions.ts';
import { ChannelFactsCache } from '../../../src/platforms/discord/channel-facts.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import { makeDigest } from '../../render/digest-factory.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MANAGER_PERMISSIONS } from '../../helpers/fake-discord-harness.ts';
import { fakeBotRoleId } from '../../helpers/fake-discord-state.ts';

/**
 * /subscribe and /settings where the digest would go: a forum tag named is resolved against the
 * forum's tags (an unknown one refused with the tags there are), publishing is an option of
 * announcement channels, and a channel the bot cannot post into is refused at once, naming the
 * permission it lacks, from Discord's own figures (app_permissions, the gateway's cache, or the
 * overwrites and roles read through REST).
 */

const GUILD = '730000000000000001';
const TEXT = '730000000000000010';
const FORUM = '730000000000000011';
const NEWS = '730000000000000012';
const NO_FILES = '730000000000000013';
const CLOSED_FORUM = '730000000000000014';
const MUTED = '730000000000000015';
const TAG_DAILY = '730000000000000100';
const TAG_WEEKLY = '730000000000000101';
const BOT_ROLE = fakeBotRoleId(GUILD);
const deny = (flag: bigint) => ({ allow: '0', deny: flag.toString() });

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;
const manager = { userId: '3', permissions: MANAGER_PERMISSIONS };
const here = (chatId: string) => ({ platform: 'discord' as const, chatId, threadId: null });

beforeAll(async () => {
  harness = await createHarness();
  discord = await startDiscordHarness({
    router: harness.router,
    enforceRateLimits: false,
    guild: {
      id: GUILD,
      name: 'AI 读书会',
      channels: [
        { id: TEXT, type: 0, name: 'ai-news' },
        { id: FORUM, type: 15, name: 'digests', availableTags: [{ id: TAG_DAILY, name: 'Daily' }, { id: TAG_WEEKLY, name: 'weekly' }] },
        { id: NEWS, type: 5, name: 'announcements' },
        { id: NO_FILES, type: 0, name: 'no-files', overwrites: [{ id: BOT_ROLE, type: 0, ...deny(PermissionFlagsBits.AttachFiles) }] },
        { id: CLOSED_FORUM, type: 15, name: 'closed' },
        { id: MUTED, type: 0, name: 'muted', overwrites: [{ id: GUILD, type: 0, ...deny(PermissionFlagsBits.SendMessages) }, { id: BOT_ROLE, type: 0, ...deny(PermissionFlagsBits.SendMessages) }] },
      ],
    },
  });
  fake = discord.fake;
});

afterAll(async () => {
  await discord.close();
  await harness.store.close();
});

async function answerTo(input: SlashCommandInput): Promise<string> {
  const id = fake.sendSlashCommand(input);
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return String(response.data!['content'] ?? '');
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && (f.kind === 'edit-original' || f.kind === 'followup')));
  return String(edit.body['content'] ?? '');
}

const run = (name: string, channelId: string, options: Record<string, string | boolean> = {}) =>
  answerTo({ name, options, guildId: GUILD, channelId, member: manager, locale: 'en-US' });

describe('forum tags', () => {
  it('/subscribe tag:<name> in a forum stores that tag (names match without regard to case)', async () => {
    const reply = await run('subscribe', FORUM, { tag: 'daily' });
    expect(reply).toContain('Forum tag: Daily');
    expect((await harness.store.getSubscription(here(FORUM)))?.options.forumTagId).toBe(TAG_DAILY);
  });

  it('an unknown tag is refused, listing the tags the forum has, and nothing changes', async () => {
    const reply = await run('settings', FORUM, { tag: 'monthly' });
    expect(reply).toContain('This forum has no tag "monthly". Its tags: Daily, weekly.');
    expect((await harness.store.getSubscription(here(FORUM)))?.options.forumTagId).toBe(TAG_DAILY);
  });

  it('tag:none removes it; a tag in a channel that is not a forum is refused', async () => {
    await run('settings', FORUM, { tag: 'none' });
    expect((await harness.store.getSubscription(here(FORUM)))?.options.forumTagId).toBeNull();
    expect(await run('subscribe', TEXT, { tag: 'daily' })).toContain('tag applies to forum and media channels only');
    expect(await harness.store.getSubscription(here(TEXT))).toBeNull();
  });
});

describe('publishing in announcement channels', () => {
  it('/subscribe publish:false turns it off, /settings publish:true on again', async () => {
    expect(await run('subscribe', NEWS, { publish: false })).toContain('Publish in announcement channel: off');
    expect((await harness.store.getSubscription(here(NEWS)))?.options.publish).toBe(false);
    await run('settings', NEWS, { publish: true });
    expect((await harness.store.getSubscription(here(NEWS)))?.options.publish).toBe(true);
  });
});

describe('a channel the bot cannot post into', () => {
  it('is refused at subscribe time naming the missing permission (from app_permissions); without the word cloud it is fine', async () => {
    const reply = await run('subscribe', NO_FILES);
    expect(reply).toBe('I cannot post here: I am missing Attach Files. Give me these permissions in the channel settings, then subscribe again.');
    expect(await harness.store.getSubscription(here(NO_FILES))).toBeNull();
    await run('subscribe', NO_FILES, { wordcloud: false });
    expect((await harness.store.getSubscription(here(NO_FILES)))?.active).toBe(true);
  });

  it('a channel picked with the option is judged from the gateway cache: Send Messages missing', async () => {
    const reply = await answerTo({ name: 'subscribe', options: { channel: MUTED }, guildId: GUILD, channelId: TEXT, member: manager, locale: 'en-US' });
    expect(reply).toContain('I cannot post in that channel: I am missing Send Messages.');
    expect(await harness.store.getSubscription(here(MUTED))).toBeNull();
  });
});

describe('the bot\'s permissions read through REST (no gateway cache, no app_permissions)', () => {
  it('a forum where the bot may not create posts says Create Posts; overwrites for the bot itself count last', async () => {
    const rest = new REST({ api: fake.apiBase, retries: 0 }).setToken(fake.token);
    const deps = { rest, channels: new ChannelFactsCache(rest), botUserId: async () => fake.botUserId };
    // The bot's own member overwrite in the closed forum: no Create Posts (Send Messages) for it.
    fake.channel(CLOSED_FORUM)!.overwrites.push({ id: fake.botUserId, type: 1, ...deny(PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads) });
    const inspection = await inspectTarget(deps, here(CLOSED_FORUM), true, null);
    expect(inspection.kind).toBe('forum');
    expect(inspection.missingPermissions).toEqual(['create-posts', 'send-in-threads']);

    const open = await inspectTarget(deps, here(FORUM), true, null);
    expect(open.missingPermissions).toEqual([]);
    expect(open.forumTags.map((t) => t.name)).toEqual(['Daily', 'weekly']);
    const muted = await inspectTarget(deps, here(MUTED), false, null);
    expect(muted.missingPermissions).toEqual(['send-messages']);
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  });
});

describe('sending while connected to the gateway', () => {
  it("a forum post goes out knowing the channel's kind from the gateway's cache: no GET /channels request", async () => {
    const before = fake.calls.length;
    const result = await discord.platform.sendDigest(here(FORUM), makeDigest(), 'gateway:forum');
    expect(fake.forumPosts.map((p) => p.threadId)).toContain(result.messageIds[0]);
    expect(fake.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toContain(`POST /channels/${FORUM}/threads`);
    expect(fake.calls.slice(before).filter((c) => c.method === 'GET' && c.path === `/channels/${FORUM}`)).toEqual([]);
  });
});
