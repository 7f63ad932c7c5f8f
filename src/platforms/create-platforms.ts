import type { CommandRouter } from '../commands/types.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { DiscordPlatform } from './discord/discord-platform.ts';
import type { Platform, PlatformName } from './platform.ts';
import type { RateBudget } from './rate-budget.ts';
import { TelegramPlatform } from './telegram/telegram-platform.ts';
import type { PlatformTelemetry } from '../telemetry.ts';
import { TELEGRAM_WEBHOOK_PATH } from './webhook.ts';

/** A router for send-only use (`digest post`): such a platform is never started, so never asked. */
const SEND_ONLY_ROUTER: CommandRouter = {
  definitions: [],
  handle: async () => ({ kind: 'text', text: '' }),
  autocompleteDates: () => [],
};

export interface CreatePlatformsOptions {
  config: Pick<Config, 'env' | 'owners' | 'digest'> & { telegram?: Partial<Config['telegram']> } & Partial<Pick<Config, 'telegramUpdates' | 'discord'>>;
  logger: Logger;
  /** The command router for a bot that answers commands; absent = send-only (no gateway, no polling). */
  router?: CommandRouter;
  /** Build only these platforms (default: every one with a token). */
  only?: readonly PlatformName[];
  /** Told of 429s and retries (the bot's metrics); none for the CLI. */
  telemetry?: PlatformTelemetry;
  /**
   * Claims a webhook update id in the shared store (true the first time, from any instance).
   * Needed for TELEGRAM_UPDATES=webhook on a bot that answers commands.
   */
  claimUpdate?: (platform: PlatformName, updateId: string) => Promise<boolean>;
  /** The Telegram bot token's rate budget shared by the instances (DATABASE_URL); none: this process alone. */
  telegramRateBudget?: RateBudget;
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
      layout: config.discord?.layout ?? 'components',
      mode: options.router ? (config.env.discordInteractions ?? 'gateway') : 'rest-only',
      publicKey: config.env.discordPublicKey ?? null,
      // Interaction ids in the shared store: a replay is refused by whichever instance it reaches.
      ...(options.claimUpdate ? { claimInteraction: (id: string) => options.claimUpdate!('discord', id) } : {}),
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
  }
  if (config.env.telegramToken && wanted('telegram')) {
    const updates = config.telegramUpdates;
    const claimUpdate = options.claimUpdate;
    // Only a bot that answers commands receives updates; a send-only one (the CLI) never starts.
    const webhook =
      options.router && updates?.mode === 'webhook'
        ? {
            url: `${updates.publicUrl}${TELEGRAM_WEBHOOK_PATH}`,
            secret: updates.secret,
            claimUpdate: (updateId: string) => {
              if (!claimUpdate) throw new Error('webhook mode needs claimUpdate');
              return claimUpdate('telegram', updateId);
            },
          }
        : null;
    platforms.telegram = new TelegramPlatform({
      webhook,
      token: config.env.telegramToken,
      apiRoot: config.env.telegramApiRoot,
      router,
      logger,
      owners: config.owners.telegram,
      paidBroadcast: config.telegram?.paidBroadcast ?? false,
      collapseDetails: config.telegram?.collapseDetails ?? true,
      previewReportLink: config.telegram?.previewReportLink ?? false,
      ...(options.telegramRateBudget ? { rateBudget: options.telegramRateBudget } : {}),
      ...(options.telemetry ? { telemetry: options.telemetry } : {}),
    });
  }
  return platforms;
}
