import type { CommandRouter } from '../commands/types.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { DiscordPlatform } from './discord/discord-platform.ts';
import type { Platform, PlatformName } from './platform.ts';
import { TelegramPlatform } from './telegram/telegram-platform.ts';
import type { PlatformTelemetry } from '../telemetry.ts';

/** A router for send-only use (`digest post`): such a platform is never started, so never asked. */
const SEND_ONLY_ROUTER: CommandRouter = {
  definitions: [],
  handle: async () => ({ kind: 'text', text: '' }),
  autocompleteDates: () => [],
};

export interface CreatePlatformsOptions {
  config: Pick<Config, 'env' | 'owners' | 'digest'> & Partial<Pick<Config, 'telegram'>>;
  logger: Logger;
  /** The command router for a bot that answers commands; absent = send-only (no gateway, no polling). */
  router?: CommandRouter;
  /** Build only these platforms (default: every one with a token). */
  only?: readonly PlatformName[];
  /** Told of 429s and retries (the bot's metrics); none for the CLI. */
  telemetry?: PlatformTelemetry;
}

/**
 * The platforms that have a token in the environment, as adapters. The one place outside the
 * adapters that names them, so main.ts and the CLI build them the same way.
 */
export function createPlatforms(options: CreatePlatformsOptions): Partial<Record<PlatformName, Platform>> {
  const { config, logger } = options;
  const wanted = (name: PlatformName): boolean => options.only === undefined || options.only.includes(name);
  const router = options.router ?? SEND_ONLY_ROUTER;
  const platforms: Partial<Record<PlatformName, Platform>> = {};
  if (config.env.discordToken && wanted('discord')) {
    platforms.discord = new DiscordPlatform({
      token: config.env.discordToken,
      apiBase: config.env.discordApiBase,
      guildId: config.env.discordGuildId,
      router,
      logger,
      owners: config.owners.discord,
      color: config.digest.discordColor,
      mode: options.router ? (config.env.discordInteractions ?? 'gateway') : 'rest-only',
      publicKey: config.env.discordPublicKey ?? null,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
  }
  if (config.env.telegramToken && wanted('telegram')) {
    platforms.telegram = new TelegramPlatform({
      token: config.env.telegramToken,
      apiRoot: config.env.telegramApiRoot,
      router,
      logger,
      owners: config.owners.telegram,
      paidBroadcast: config.telegram?.paidBroadcast ?? false,
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
  }
  return platforms;
}
