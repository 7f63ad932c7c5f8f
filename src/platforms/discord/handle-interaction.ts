import {
  ApplicationCommandOptionType,
  ChannelType,
  GuildMember,
  MessageFlags,
  PermissionFlagsBits,
  PermissionsBitField,
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type CommandInteractionOption,
  type InteractionReplyOptions,
  type PermissionResolvable,
} from 'discord.js';
import type { CommandArgs, CommandContext, CommandReply, CommandRouter, Locale } from '../../commands/types.ts';
import { localeFrom, messages } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import { renderDiscordMessages, renderDiscordText } from '../../render/discord.ts';
import { renderDiscordSearch } from '../../render/search-results.ts';
import { DISCORD_LIMITS } from '../../render/limits.ts';
import type { DiscordMessage } from '../../render/payload-types.ts';
import type { Destination } from '../platform.ts';

export interface InteractionDeps {
  router: CommandRouter;
  logger: Logger;
  owners: readonly string[];
  color: number;
  /**
   * How long a command may take before the interaction is deferred. A reply ready sooner goes out
   * directly (so error replies can stay ephemeral); a slower one is deferred first, well inside
   * Discord's 3-second window. 0 defers every command at once.
   */
  replyBudgetMs: number;
}

/** Permission bits Discord computed for the caller in each channel picked with an option (raw `resolved.channels`). */
export type ResolvedChannelPermissions = ReadonlyMap<string, string>;

const canManageWith = (permissions: Readonly<PermissionsBitField> | null): boolean =>
  permissions !== null &&
  (permissions.has(PermissionFlagsBits.ManageGuild as PermissionResolvable) ||
    permissions.has(PermissionFlagsBits.ManageChannels as PermissionResolvable));

/**
 * A guild interaction always carries the caller's `member` (roles, permissions); one without it
 * is forged, and discord.js would report it as outside a guild (`inGuild()` is false), i.e. as a
 * DM where the caller manages their own subscription. Such an interaction is refused.
 */
function isForgedGuildInteraction(interaction: AutocompleteInteraction | ChatInputCommandInteraction): boolean {
  return interaction.guildId !== null && interaction.member === null;
}

function logForged(interaction: AutocompleteInteraction | ChatInputCommandInteraction, deps: InteractionDeps): void {
  deps.logger.warn(
    { event: 'discord-interaction-refused', interaction: interaction.id, guild: interaction.guildId, user: interaction.user.id, reason: 'guild interaction without member' },
    'refused a guild interaction without a member',
  );
}

/** Answers date autocomplete with at most 25 report dates matching what was typed. */
export async function answerAutocomplete(interaction: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  if (isForgedGuildInteraction(interaction)) {
    logForged(interaction, deps);
    await interaction.respond([]);
    return;
  }
  const focused = interaction.options.getFocused(true);
  const dates = focused.name === 'date' ? deps.router.autocompleteDates(String(focused.value), DISCORD_LIMITS.autocompleteChoices) : [];
  await interaction.respond(dates.slice(0, DISCORD_LIMITS.autocompleteChoices).map((d) => ({ name: d, value: d })));
}

/** The parent channel of a thread picked with a channel option, or null for any other channel. */
function threadParentOf(channel: NonNullable<CommandInteractionOption['channel']>): string | null {
  if ('isThread' in channel) return channel.isThread() ? channel.parentId : null;
  // Not cached by discord.js: the raw resolved channel Discord sent.
  const raw = channel as { type?: number; parent_id?: string | null };
  const isThread =
    raw.type === ChannelType.PublicThread || raw.type === ChannelType.PrivateThread || raw.type === ChannelType.AnnouncementThread;
  return isThread ? (raw.parent_id ?? null) : null;
}

/** Command arguments from the interaction's options, by the neutral option names. */
function readArgs(interaction: ChatInputCommandInteraction): CommandArgs {
  const args: CommandArgs = {};
  for (const option of interaction.options.data) {
    const value = option.value;
    if (value === undefined) continue;
    switch (option.name) {
      case 'all':
        if (option.type === ApplicationCommandOptionType.Boolean) args.all = value === true;
        break;
      case 'channel': {
        // A picked thread is addressed like a command run inside it: parent channel plus thread.
        const parentId = option.channel ? threadParentOf(option.channel) : null;
        args.channel = parentId ?? String(value);
        if (parentId !== null) args.thread = String(value);
        break;
      }
      case 'date':
      case 'query':
      case 'time':
      case 'tz':
      case 'language':
        args[option.name] = String(value);
        break;
      case 'role':
        // The role picker gives the role's id.
        args.role = String(value);
        break;
      case 'silent':
      case 'wordcloud':
      case 'clear_role':
        // Neutral switches are words (Telegram types them): a Discord boolean becomes on / off.
        args[option.name] = value === true ? 'on' : value === false ? 'off' : String(value);
        break;
      default:
        break;
    }
  }
  return args;
}

/** The neutral context: a command in a thread is addressed to the thread inside its parent channel. */
function buildContext(
  interaction: ChatInputCommandInteraction,
  deps: InteractionDeps,
  resolved: ResolvedChannelPermissions,
): CommandContext {
  const channel = interaction.channel;
  const channelId = interaction.channelId;
  const inThread = channel?.isThread() === true && channel.parentId !== null;
  const destination: Destination = {
    platform: 'discord',
    chatId: inThread ? channel.parentId! : channelId,
    threadId: inThread ? channelId : null,
  };
  return {
    platform: 'discord',
    destination,
    chatTitle: channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : null,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    locale: localeFrom(interaction.locale),
    // By guild id, not inGuild(): that also needs a member, and a forged event may leave it out.
    isPrivateChat: interaction.guildId === null,
    isOwner: deps.owners.includes(interaction.user.id),
    async canManage(target) {
      if (!interaction.inGuild()) return false;
      const targetId = target.threadId ?? target.chatId;
      // Discord sends the caller's permissions in the current channel, overwrites applied.
      if (targetId === channelId || (target.chatId === destination.chatId && target.threadId === destination.threadId)) {
        return canManageWith(interaction.memberPermissions);
      }
      const picked = resolved.get(targetId) ?? resolved.get(target.chatId);
      if (picked !== undefined) return canManageWith(new PermissionsBitField(BigInt(picked)));
      // Not picked with an option: compute from the cached channel's overwrites, or refuse.
      const cached = interaction.client.channels.cache.get(targetId);
      const member = interaction.member;
      if (cached && 'permissionsFor' in cached && member instanceof GuildMember && !cached.isDMBased()) {
        return canManageWith(cached.permissionsFor(member));
      }
      return false;
    },
  };
}

/** Message options for one rendered message; the word cloud is attached by path. */
function toReplyOptions(message: DiscordMessage, ephemeral: boolean): InteractionReplyOptions {
  const { content, embeds, components } = message.body;
  return {
    ...(content !== undefined ? { content } : {}),
    embeds,
    ...(components ? { components } : {}),
    files: message.files.map((file) => ({ attachment: file.path, name: file.name })),
    allowedMentions: { parse: [] },
    ...(ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
  };
}

function render(reply: CommandReply, color: number, locale: Locale): { messages: DiscordMessage[]; ephemeral: boolean } {
  if (reply.kind === 'digest') return { messages: renderDiscordMessages(reply.digest, { color }), ephemeral: false };
  if (reply.kind === 'search') return { messages: [renderDiscordSearch(reply.result, messages(locale).search, color)], ephemeral: false };
  return { messages: renderDiscordText(reply.text), ephemeral: reply.ephemeral === true };
}

/**
 * Runs a slash command through the router and answers within Discord's window: directly when the
 * router is quick, else deferred first and the reply edited in. A digest longer than one message
 * continues in follow-ups.
 */
export async function answerCommand(
  interaction: ChatInputCommandInteraction,
  deps: InteractionDeps,
  resolved: ResolvedChannelPermissions,
): Promise<void> {
  if (isForgedGuildInteraction(interaction)) {
    logForged(interaction, deps);
    const text = messages(localeFrom(interaction.locale)).refusals.unverifiedMember;
    await interaction.reply(toReplyOptions(renderDiscordText(text)[0]!, true));
    return;
  }
  const context = buildContext(interaction, deps, resolved);
  const pending = deps.router.handle(interaction.commandName, readArgs(interaction), context).catch((error: unknown): CommandReply => {
    deps.logger.error({ event: 'discord-command-failed', command: interaction.commandName, err: error }, 'command failed');
    return { kind: 'text', text: messages(context.locale).errors.apology, ephemeral: true };
  });

  let deferred = false;
  let reply: CommandReply;
  if (deps.replyBudgetMs <= 0) {
    await interaction.deferReply();
    deferred = true;
    reply = await pending;
  } else {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), deps.replyBudgetMs);
    });
    const quick = await Promise.race([pending, budget]);
    clearTimeout(timer);
    if (quick === null) {
      await interaction.deferReply();
      deferred = true;
      reply = await pending;
    } else {
      reply = quick;
    }
  }

  const { messages: rendered, ephemeral } = render(reply, deps.color, context.locale);
  const [first, ...rest] = rendered;
  if (!first) return;
  if (!deferred) {
    await interaction.reply(toReplyOptions(first, ephemeral));
  } else if (ephemeral) {
    // A deferral is public and cannot be made private afterwards: remove the "thinking…" message
    // and answer privately in a follow-up, so a refusal or error stays between bot and caller.
    await interaction.deleteReply();
    await interaction.followUp(toReplyOptions(first, true));
  } else {
    const { flags: _flags, ...options } = toReplyOptions(first, false);
    await interaction.editReply(options);
  }
  for (const message of rest) await interaction.followUp(toReplyOptions(message, ephemeral));
}
