import type { Api } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { CommandDefinition, Locale } from '../../commands/types.ts';
import { TELEGRAM_LIMITS } from '../../render/limits.ts';

/** Telegram's own limit for a command description in the menu. */
const DESCRIPTION_CHARS = 256;
const NAME = new RegExp(`^[a-z0-9_]{1,${TELEGRAM_LIMITS.commandNameChars}}$`);

/** The command menu in one language: every definition whose name Telegram accepts. */
export function telegramCommandList(definitions: readonly CommandDefinition[], locale: Locale): BotCommand[] {
  return definitions
    .filter((d) => NAME.test(d.name))
    .map((d) => ({ command: d.name, description: d.description[locale].slice(0, DESCRIPTION_CHARS) || d.name }));
}

/**
 * Publishes the command menu: Chinese for everyone by default, English for clients whose
 * language is English (`language_code: 'en'`).
 */
export async function registerTelegramCommands(api: Api, definitions: readonly CommandDefinition[]): Promise<void> {
  await api.setMyCommands(telegramCommandList(definitions, 'zh'));
  await api.setMyCommands(telegramCommandList(definitions, 'en'), { language_code: 'en' });
}
