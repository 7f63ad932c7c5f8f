import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../src/i18n/index.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MANAGER_PERMISSIONS, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

const { guild: GUILD, text: TEXT, thread: THREAD } = SAMPLE_GUILD_IDS;

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;

beforeAll(async () => {
  harness = await createHarness();
  discord = await startDiscordHarness({
    router: harness.router,
    guild: sampleGuild(),
    platform: { layout: 'embeds' },
  });
  fake = discord.fake;
});

afterAll(async () => {
  await discord.close();
  await harness.store.close();
});

/** The message the user finally sees: the direct reply, or the edit of a deferred one. */
async function answerTo(input: SlashCommandInput): Promise<{ body: Record<string, unknown>; ephemeral: boolean }> {
  const id = fake.sendSlashCommand(input);
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return { body: response.data!, ephemeral: response.data!['flags'] === 64 };
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
  return { body: edit.body, ephemeral: false };
}

describe('Discord end to end with the real router, library and store', () => {
  it('the real command definitions pass Discord validation on registration', () => {
    const set = fake.registeredCommands.find((s) => s.scope === GUILD);
    expect(set?.commands.map((c) => c['name']).sort()).toEqual(harness.router.definitions.map((d) => d.name).sort());
  });

  it('/report date:2026-01-03 answers with that digest: its title and ten numbered points', async () => {
    const { body, ephemeral } = await answerTo({
      name: 'report',
      options: { date: '2026-01-03' },
      guildId: GUILD,
      channelId: TEXT,
      member: { userId: '1', permissions: MEMBER_PERMISSIONS },
    });
    expect(ephemeral).toBe(false);
    const embeds = body['embeds'] as { title?: string; description?: string }[];
    expect(embeds[0]!.title).toContain('2026-01-03');
    const text = embeds.map((e) => e.description ?? '').join('\n');
    const numbers = [...text.matchAll(/\*\*(\d+)\. /g)].map((m) => Number(m[1]));
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(body['allowed_mentions']).toEqual({ parse: [] });
  });

  it('autocomplete offers real report dates filtered by what was typed', async () => {
    const id = fake.sendAutocomplete({ name: 'report', guildId: GUILD, channelId: TEXT, member: { userId: '1', permissions: MEMBER_PERMISSIONS }, focused: { name: 'date', value: '202601' } });
    const choices = (await fake.waitForInteractionResponse(id)).data!['choices'] as { value: string }[];
    expect(choices.length).toBeGreaterThan(0);
    expect(choices.every((c) => c.value.startsWith('2026-01'))).toBe(true);
    expect(choices.map((c) => c.value)).toContain('2026-01-03');
  });

  it("a member without Manage Server / Manage Channels is refused /subscribe and nothing is stored", async () => {
    const { body, ephemeral } = await answerTo({ name: 'subscribe', guildId: GUILD, channelId: TEXT, member: { userId: '2', permissions: MEMBER_PERMISSIONS } });
    expect(ephemeral).toBe(true);
    expect(body['content']).toBe(messages('zh').refusals.manageDiscord);
    expect(await harness.store.listSubscriptions({ platform: 'discord' })).toEqual([]);
  });

  it('a manager subscribes a thread: the subscription records the parent channel and the thread', async () => {
    const { ephemeral } = await answerTo({ name: 'subscribe', guildId: GUILD, channelId: THREAD, member: { userId: '3', permissions: MANAGER_PERMISSIONS } });
    expect(ephemeral).toBe(false);
    const subscription = await harness.store.getSubscription({ platform: 'discord', chatId: TEXT, threadId: THREAD });
    expect(subscription?.active).toBe(true);
    expect(subscription?.guildId).toBe(GUILD);
  });
});

describe('/settings and /subscribe options over Discord', () => {
  const OTHER = SAMPLE_GUILD_IDS.other;
  const ROLE = '700000000000000042';
  const manager = { userId: '3', permissions: MANAGER_PERMISSIONS };

  it('registers role as a role option (type 8), switches as booleans, language and layout with choices', () => {
    const set = fake.registeredCommands.find((s) => s.scope === GUILD)!;
    const settings = set.commands.find((c) => c['name'] === 'settings')!;
    const options = settings['options'] as { name: string; type: number; choices?: { value: string }[] }[];
    expect(options.map((o) => [o.name, o.type])).toEqual([
      ['channel', 7],
      ['role', 8],
      ['clear_role', 5],
      ['silent', 5],
      ['wordcloud', 5],
      ['language', 3],
      ['layout', 3],
      ['tag', 3],
      ['publish', 5],
    ]);
    expect(options.find((o) => o.name === 'language')!.choices!.map((c) => c.value)).toEqual(['zh', 'en']);
    expect(options.find((o) => o.name === 'layout')!.choices!.map((c) => c.value)).toEqual(['components', 'embeds']);
    expect(settings['default_member_permissions']).not.toBeNull();
  });

  it('collapse (Telegram only) is not offered on Discord; /status is offered to everyone, in DMs too', () => {
    const set = fake.registeredCommands.find((s) => s.scope === GUILD)!;
    for (const name of ['settings', 'subscribe']) {
      const command = set.commands.find((c) => c['name'] === name)!;
      expect((command['options'] as { name: string }[]).map((o) => o.name)).not.toContain('collapse');
    }
    const status = set.commands.find((c) => c['name'] === 'status')!;
    expect(status['default_member_permissions']).toBeNull();
    expect(status['options']).toEqual([]);
  });

  it('/status: any member asks, only they see the answer, for the channel it is asked in', async () => {
    const { body, ephemeral } = await answerTo({ name: 'status', guildId: GUILD, channelId: OTHER, member: { userId: '9', permissions: MEMBER_PERMISSIONS }, locale: 'en-US' });
    expect(ephemeral).toBe(true);
    expect(body['content']).toContain('Not subscribed');
    expect(body['allowed_mentions']).toEqual({ parse: [] });
  });

  it('says when the channel is not subscribed, and stores nothing', async () => {
    const { body, ephemeral } = await answerTo({ name: 'settings', options: { silent: true }, guildId: GUILD, channelId: OTHER, member: manager, locale: 'en-US' });
    expect(ephemeral).toBe(true);
    expect(body['content']).toContain('There is no subscription here');
    expect(await harness.store.getSubscription({ platform: 'discord', chatId: OTHER, threadId: null })).toBeNull();
  });

  it('subscribe with a role picked, then /settings shows and changes it; the reply mentions the role without pinging it', async () => {
    await answerTo({ name: 'subscribe', options: { role: ROLE, language: 'en' }, guildId: GUILD, channelId: OTHER, member: manager });
    const destination = { platform: 'discord' as const, chatId: OTHER, threadId: null };
    expect((await harness.store.getSubscription(destination))?.options).toEqual({ mentionRoleId: ROLE, silent: false, wordcloud: true, language: 'en', layout: null, forumTagId: null, publish: null, collapseDetails: null });

    const shown = await answerTo({ name: 'settings', guildId: GUILD, channelId: OTHER, member: manager, locale: 'en-US' });
    expect(shown.body['content']).toContain(`Role mentioned: <@&${ROLE}>`);
    expect(shown.body['allowed_mentions']).toEqual({ parse: [] });

    await answerTo({ name: 'settings', options: { silent: true, wordcloud: false }, guildId: GUILD, channelId: OTHER, member: manager });
    expect((await harness.store.getSubscription(destination))?.options).toEqual({ mentionRoleId: ROLE, silent: true, wordcloud: false, language: 'en', layout: null, forumTagId: null, publish: null, collapseDetails: null });
    // The role picker gives ids only: stopping the mention is its own switch.
    await answerTo({ name: 'settings', options: { clear_role: true }, guildId: GUILD, channelId: OTHER, member: manager });
    expect((await harness.store.getSubscription(destination))?.options.mentionRoleId).toBeNull();
  });

  it('refuses a member without the manage right', async () => {
    const { body } = await answerTo({ name: 'settings', options: { silent: false }, guildId: GUILD, channelId: OTHER, member: { userId: '2', permissions: MEMBER_PERMISSIONS } });
    expect(body['content']).toBe(messages('zh').refusals.manageDiscord);
    expect((await harness.store.getSubscription({ platform: 'discord', chatId: OTHER, threadId: null }))?.options.silent).toBe(true);
  });
});
