import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../../../src/i18n/index.ts';
import { createHarness, type Harness } from '../../commands/command-harness.ts';
import type { FakeDiscord, SlashCommandInput } from '../../helpers/fake-discord.ts';
import { startDiscordHarness, type DiscordHarness, MANAGER_PERMISSIONS, MEMBER_PERMISSIONS, SAMPLE_GUILD_IDS, sampleGuild } from '../../helpers/fake-discord-harness.ts';

const { guild: GUILD, text: TEXT, thread: THREAD, other: OTHER } = SAMPLE_GUILD_IDS;
const m = messages('zh');

let fake: FakeDiscord;
let harness: Harness;
let discord: DiscordHarness;

beforeAll(async () => {
  harness = await createHarness();
  discord = await startDiscordHarness({
    router: harness.router,
    guild: sampleGuild(),
  });
  fake = discord.fake;
});

afterAll(async () => {
  await discord.close();
  await harness.store.close();
});

async function answerTo(input: SlashCommandInput): Promise<{ text: string; ephemeral: boolean }> {
  const id = fake.sendSlashCommand(input);
  const response = await fake.waitForInteractionResponse(id);
  if (response.type === 4) return { text: String(response.data!['content']), ephemeral: response.data!['flags'] === 64 };
  const edit = await fake.waitFor(() => fake.followups.find((f) => f.interactionId === id && f.kind === 'edit-original'));
  return { text: String(edit.body['content']), ephemeral: false };
}

const discordSubscriptions = async () =>
  (await harness.store.listSubscriptions({ platform: 'discord' })).map(({ chatId, threadId, active }) => ({ chatId, threadId, active }));

describe('a thread picked with the channel option is the same destination as the thread itself', () => {
  it('/subscribe channel:<thread> from another channel stores the parent channel and the thread', async () => {
    const reply = await answerTo({
      name: 'subscribe',
      options: { channel: THREAD },
      guildId: GUILD,
      channelId: OTHER,
      member: { userId: '1', permissions: MANAGER_PERMISSIONS },
    });
    expect(reply.text).toBe(m.subscribe.subscribed(m.places.thatChannel, null));
    expect(await discordSubscriptions()).toEqual([{ chatId: TEXT, threadId: THREAD, active: true }]);
  });

  it('/subscribe inside that thread finds the same subscription instead of adding a second one', async () => {
    const reply = await answerTo({ name: 'subscribe', guildId: GUILD, channelId: THREAD, member: { userId: '1', permissions: MANAGER_PERMISSIONS } });
    expect(reply.text).toBe(m.subscribe.alreadySubscribed(m.places.here, null));
    expect(await discordSubscriptions()).toEqual([{ chatId: TEXT, threadId: THREAD, active: true }]);
  });

  it('/unsubscribe channel:<thread> ends that subscription', async () => {
    const reply = await answerTo({
      name: 'unsubscribe',
      options: { channel: THREAD },
      guildId: GUILD,
      channelId: TEXT,
      member: { userId: '1', permissions: MANAGER_PERMISSIONS },
    });
    expect(reply.ephemeral).toBe(false);
    expect(await discordSubscriptions()).toEqual([{ chatId: TEXT, threadId: THREAD, active: false }]);
  });

  it("picking a thread is judged by the caller's permissions in that thread", async () => {
    const reply = await answerTo({
      name: 'subscribe',
      options: { channel: THREAD },
      guildId: GUILD,
      channelId: OTHER,
      member: { userId: '2', permissions: MANAGER_PERMISSIONS, channelPermissions: { [THREAD]: MEMBER_PERMISSIONS } },
    });
    expect(reply).toEqual({ text: m.refusals.manageDiscord, ephemeral: true });
    expect(await discordSubscriptions()).toEqual([{ chatId: TEXT, threadId: THREAD, active: false }]);
  });

  it('inside a thread, picking its parent channel subscribes the parent, not the thread', async () => {
    const reply = await answerTo({
      name: 'subscribe',
      options: { channel: TEXT },
      guildId: GUILD,
      channelId: THREAD,
      member: { userId: '1', permissions: MANAGER_PERMISSIONS },
    });
    expect(reply.text).toBe(m.subscribe.subscribed(m.places.thatChannel, null));
    expect((await harness.store.getSubscription({ platform: 'discord', chatId: TEXT, threadId: null }))?.active).toBe(true);
    // The thread's own (inactive) subscription is untouched.
    expect((await harness.store.getSubscription({ platform: 'discord', chatId: TEXT, threadId: THREAD }))?.active).toBe(false);
  });

  it('picking a plain channel still names that channel alone', async () => {
    await answerTo({ name: 'subscribe', options: { channel: OTHER }, guildId: GUILD, channelId: TEXT, member: { userId: '1', permissions: MANAGER_PERMISSIONS } });
    expect((await harness.store.getSubscription({ platform: 'discord', chatId: OTHER, threadId: null }))?.active).toBe(true);
  });
});
