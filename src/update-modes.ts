import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import type { PlatformName } from './words.ts';

/** How each configured platform receives commands, and what follows for running several instances. */
export interface UpdateModes {
  /** Only the platforms with a token: e.g. `{ discord: 'gateway', telegram: 'webhook https://…/telegram/webhook' }`. */
  modes: Partial<Record<PlatformName, string>>;
  /** With DATABASE_URL: the platforms whose mode receives on one instance only (polling, gateway). */
  singleReceiver: PlatformName[];
}

/** Reads the update modes from the configuration (no connection is made). */
export function updateModesOf(config: Pick<Config, 'env' | 'telegramUpdates' | 'databaseUrl'>): UpdateModes {
  const modes: UpdateModes['modes'] = {};
  const singleReceiver: PlatformName[] = [];
  if (config.env.discordToken) {
    const http = config.env.discordInteractions === 'http';
    modes.discord = http ? 'http interactions (POST /discord/interactions)' : 'gateway';
    if (!http) singleReceiver.push('discord');
  }
  if (config.env.telegramToken) {
    const updates = config.telegramUpdates;
    modes.telegram = updates.mode === 'webhook' ? `webhook ${updates.publicUrl}/telegram/webhook` : 'polling';
    if (updates.mode !== 'webhook') singleReceiver.push('telegram');
  }
  return { modes, singleReceiver: config.databaseUrl ? singleReceiver : [] };
}

/**
 * Logs at start which update mode each platform uses, and, with DATABASE_URL (several instances
 * allowed), warns that polling and the gateway are for one instance: a second one polling the
 * same Telegram token is refused (409) and stops, and every instance holding a Discord gateway
 * connection receives every command. (Whether peers run is not asked of the database: the
 * warning is given whenever the configuration allows the mistake.)
 */
export function logUpdateModes(config: Pick<Config, 'env' | 'telegramUpdates' | 'databaseUrl'>, logger: Logger): void {
  const { modes, singleReceiver } = updateModesOf(config);
  const summary = Object.entries(modes)
    .map(([platform, mode]) => `${platform}: ${mode}`)
    .join('; ');
  logger.info({ event: 'updates.modes', ...modes }, `receiving commands by ${summary}`);
  if (singleReceiver.length === 0) return;
  const fixes = singleReceiver.map((platform) => (platform === 'telegram' ? 'TELEGRAM_UPDATES=webhook' : 'DISCORD_INTERACTIONS=http'));
  logger.warn(
    { event: 'updates.single-receiver', platforms: singleReceiver },
    `with DATABASE_URL several instances may share this bot's tokens, but ${singleReceiver.map((p) => `${p} in ${modes[p]} mode`).join(' and ')} must run on one instance only (a second Telegram poller is refused with 409; every Discord gateway connection receives every command): for several instances set ${fixes.join(' and ')}`,
  );
}
