import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDefinition, CommandOption, Locale } from '../../commands/types.ts';
import { DISCORD_LIMITS } from '../../render/limits.ts';

/** Where a subscription can live: text and announcement channels, public and private threads. */
export const POSTABLE_CHANNEL_TYPES = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
] as const;

/** Members who may run `manage` commands: Manage Server or Manage Channels (Discord ORs the bits). */
export const MANAGE_PERMISSIONS = PermissionFlagsBits.ManageGuild | PermissionFlagsBits.ManageChannels;

/** The bot speaks Chinese by default: `description` is Chinese, English clients see the localization. */
function localized(text: Record<Locale, string>): { description: string; description_localizations: Record<string, string> } {
  const cut = (s: string): string => (s.length <= DISCORD_LIMITS.commandDescriptionChars ? s : `${s.slice(0, DISCORD_LIMITS.commandDescriptionChars - 1)}…`);
  const en = cut(text.en);
  return { description: cut(text.zh), description_localizations: { 'en-US': en, 'en-GB': en } };
}

type OptionJSON = NonNullable<RESTPostAPIChatInputApplicationCommandsJSONBody['options']>[number];

function buildOption(option: CommandOption): OptionJSON {
  const base = { name: option.name, required: option.required, ...localized(option.description) };
  switch (option.type) {
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case 'channel':
      return { ...base, type: ApplicationCommandOptionType.Channel, channel_types: [...POSTABLE_CHANNEL_TYPES] };
    case 'role':
      return { ...base, type: ApplicationCommandOptionType.Role };
    case 'string':
      if (option.choices) {
        return { ...base, type: ApplicationCommandOptionType.String, choices: option.choices.map((value) => ({ name: value, value })) };
      }
      return { ...base, type: ApplicationCommandOptionType.String, autocomplete: option.autocomplete === true };
  }
}

/**
 * The slash commands to register, one per neutral definition. `manage` commands carry
 * `default_member_permissions` so Discord hides them from other members (the router re-checks
 * anyway) and are not offered in DMs; required options come first, as Discord insists.
 */
export function buildSlashCommands(definitions: readonly CommandDefinition[]): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return definitions.map((definition) => {
    const manage = definition.permission === 'manage';
    const options = definition.options
      .filter((option) => option.platforms === undefined || option.platforms.includes('discord'))
      .sort((a, b) => Number(b.required) - Number(a.required))
      .map(buildOption);
    return {
      type: ApplicationCommandType.ChatInput,
      name: definition.name,
      ...localized(definition.description),
      options,
      default_member_permissions: manage ? MANAGE_PERMISSIONS.toString() : null,
      dm_permission: !manage,
      contexts: manage
        ? [InteractionContextType.Guild]
        : [InteractionContextType.Guild, InteractionContextType.BotDM],
    };
  });
}
