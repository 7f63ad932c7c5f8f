import { PermissionFlagsBits } from 'discord.js';
import type { CommandRouter } from '../../src/commands/types.ts';
import { silentLogger } from '../../src/log.ts';
import { DiscordPlatform, type DiscordPlatformOptions } from '../../src/platforms/discord/discord-platform.ts';
import { startFakeDiscord, type FakeDiscord } from './fake-discord.ts';
import type { FakeGuildInput } from './fake-discord-state.ts';

/** A member who may manage the channel (Manage Channels), as the bitfield interactions carry. */
export const MANAGER_PERMISSIONS = (PermissionFlagsBits.ManageChannels | PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages).toString();
/** A member who may only read and write. */
export const MEMBER_PERMISSIONS = (PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages).toString();

/** Ids of the one guild most Discord tests need: a text channel, a thread in it, another channel. */
export const SAMPLE_GUILD_IDS = {
  guild: '800000000000000001',
  text: '800000000000000010',
  thread: '800000000000000011',
  other: '800000000000000012',
} as const;

/** That guild, as the fake registers it (and as discord.js receives it in GUILD_CREATE). */
export function sampleGuild(): FakeGuildInput {
  const { guild, text, thread, other } = SAMPLE_GUILD_IDS;
  return {
    id: guild,
    name: 'AI 读书会',
    channels: [
      { id: text, type: 0, name: 'ai-news' },
      { id: thread, type: 11, name: '日报讨论', parentId: text },
      { id: other, type: 0, name: 'general' },
    ],
  };
}

export interface DiscordHarness {
  fake: FakeDiscord;
  platform: DiscordPlatform;
  close(): Promise<void>;
}

/**
 * A fake Discord with one guild and a started DiscordPlatform logged in to it (commands registered
 * in that guild). `platform` options override the defaults (silent logger, no owners, gateway mode).
 */
export async function startDiscordHarness(options: {
  router: CommandRouter;
  guild: FakeGuildInput;
  enforceRateLimits?: boolean;
  platform?: Partial<Omit<DiscordPlatformOptions, 'token' | 'apiBase' | 'router'>>;
}): Promise<DiscordHarness> {
  const fake = await startFakeDiscord({ enforceRateLimits: options.enforceRateLimits ?? true });
  fake.addGuild(options.guild);
  const platform = new DiscordPlatform({
    guildId: options.guild.id,
    logger: silentLogger(),
    owners: [],
    ...options.platform,
    token: fake.token,
    apiBase: fake.apiBase,
    router: options.router,
  });
  try {
    await platform.start();
  } catch (error) {
    await fake.close();
    throw error;
  }
  return {
    fake,
    platform,
    async close() {
      await platform.stop();
      await fake.close();
    },
  };
}
