import { InteractionResponseType } from 'discord.js';
import type { CommandContext, CommandReply, CommandRouter, Locale, TargetInspection } from '../../commands/types.ts';
import { localeFrom, messages } from '../../i18n/index.ts';
import type { Logger } from '../../log.ts';
import { renderDiscordText } from '../../render/discord.ts';
import { renderDiscordDigest, type DiscordDigestLayout } from '../../render/discord-layout.ts';
import { renderDiscordSearch } from '../../render/search-results.ts';
import { DISCORD_LIMITS } from '../../render/limits.ts';
import { IS_COMPONENTS_V2, type DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { Destination } from '../platform.ts';
import { toWireMessage, type InteractionResponder } from './interaction-responder.ts';
import { canManageWith, isForgedGuildInteraction, readArgs, threadParentOf, type RawInteraction } from './raw-interaction.ts';

export interface InteractionDeps {
  router: CommandRouter;
  logger: Logger;
  owners: readonly string[];
  color: number;
  /** `discord.layout`: how a digest shown in answer to a command is laid out. */
  layout: DiscordDigestLayout;
  /**
   * How long a command may take before the interaction is deferred. A reply ready sooner goes out
   * directly (so error replies can stay ephemeral); a slower one is deferred first, well inside
   * Discord's 3-second window. 0 defers every command at once.
   */
  replyBudgetMs: number;
  /**
   * What the bot finds where a command asks it to post (kind, forum tags, missing permissions);
   * `known` is Discord's figure for the bot's permissions there when the command ran in that
   * channel. Absent: commands get no inspection.
   */
  inspect?: (target: Destination, withImage: boolean, known: bigint | null) => Promise<TargetInspection>;
}

/**
 * What only the gateway knows: the caller's permissions in a channel neither the command ran in
 * nor picked with an option, computed from discord.js's cache. Over HTTP there is no cache, so
 * such a target is refused (the interaction's own `member.permissions` and resolved channels
 * cover the current and the picked channel).
 */
export type CachedPermissions = (channelId: string) => bigint | null;

function logForged(interaction: RawInteraction, deps: InteractionDeps): void {
  deps.logger.warn(
    { event: 'discord-interaction-refused', interaction: interaction.id, guild: interaction.guildId, user: interaction.userId, reason: 'guild interaction without member' },
    'refused a guild interaction without a member',
  );
}

/** Answers date autocomplete with at most 25 report dates matching what was typed. */
export async function answerAutocomplete(interaction: RawInteraction, responder: InteractionResponder, deps: InteractionDeps): Promise<void> {
  const respond = (choices: string[]) =>
    responder.respond({
      type: InteractionResponseType.ApplicationCommandAutocompleteResult,
      data: { choices: choices.slice(0, DISCORD_LIMITS.autocompleteChoices).map((d) => ({ name: d, value: d })) },
    });
  if (isForgedGuildInteraction(interaction)) {
    logForged(interaction, deps);
    await respond([]);
    return;
  }
  const focused = interaction.options.find((o) => o.focused);
  const dates = focused?.name === 'date' ? deps.router.autocompleteDates(String(focused.value ?? ''), DISCORD_LIMITS.autocompleteChoices) : [];
  await respond(dates);
}

/** Where the interaction happened: a thread is addressed inside its parent channel. */
export function destinationOf(interaction: RawInteraction): Destination {
  const channelId = interaction.channelId ?? '';
  const parentId = threadParentOf(interaction.channel);
  return {
    platform: 'discord',
    chatId: parentId ?? channelId,
    threadId: parentId !== null ? channelId : null,
  };
}

/** The neutral context of a slash command. */
function buildContext(interaction: RawInteraction, deps: InteractionDeps, cached: CachedPermissions | null): CommandContext {
  const destination = destinationOf(interaction);
  return {
    platform: 'discord',
    destination,
    chatTitle: interaction.channel?.name ?? null,
    guildId: interaction.guildId,
    userId: interaction.userId,
    locale: localeFrom(interaction.locale ?? undefined),
    // By guild id, not by `member`: a forged event may leave the member out.
    isPrivateChat: interaction.guildId === null,
    isOwner: interaction.userId !== null && deps.owners.includes(interaction.userId),
    async canManage(target) {
      if (interaction.guildId === null || !interaction.hasMember) return false;
      const targetId = target.threadId ?? target.chatId;
      // Discord sends the caller's permissions in the current channel, overwrites applied.
      if (targetId === interaction.channelId || (target.chatId === destination.chatId && target.threadId === destination.threadId)) {
        return canManageWith(interaction.memberPermissions);
      }
      const picked = interaction.resolvedChannels.get(targetId) ?? interaction.resolvedChannels.get(target.chatId);
      if (picked?.permissions) return canManageWith(picked.permissions);
      // Not picked with an option: the gateway's cache may know, else refuse.
      return canManageWith(cached?.(targetId) ?? null);
    },
    ...(deps.inspect ? { inspectTarget: (target: Destination, withImage: boolean) => inspectFor(interaction, deps.inspect!, target, withImage) } : {}),
  };
}

/** Inspects `target`, with Discord's own figure for the bot's permissions when the command ran there. */
function inspectFor(interaction: RawInteraction, inspect: NonNullable<InteractionDeps['inspect']>, target: Destination, withImage: boolean): Promise<TargetInspection> {
  const here = (target.threadId ?? target.chatId) === interaction.channelId;
  const figure = interaction.appPermissions;
  const known = here && figure !== null && /^\d+$/.test(figure) ? BigInt(figure) : null;
  return inspect(target, withImage, known);
}

function render(reply: CommandReply, deps: Pick<InteractionDeps, 'color' | 'layout'>, locale: Locale): { messages: DiscordOutgoingMessage[]; ephemeral: boolean } {
  const { color, layout } = deps;
  if (reply.kind === 'digest') return { messages: renderDiscordDigest(reply.digest, { color, layout }), ephemeral: false };
  if (reply.kind === 'search') return { messages: [renderDiscordSearch(reply.result, messages(locale).search, color)], ephemeral: false };
  return { messages: renderDiscordText(reply.text), ephemeral: reply.ephemeral === true };
}

/**
 * `pending`, or null when it is not settled within `budgetMs` (then the caller defers and waits
 * for it). A budget of 0 or less is null at once.
 */
export async function withinBudget<T>(pending: Promise<T>, budgetMs: number): Promise<T | null> {
  if (budgetMs <= 0) return null;
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), budgetMs);
  });
  try {
    return await Promise.race([pending, budget]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The body of an edit: an edit cannot change the ephemeral flag, so it carries none but
 * IS_COMPONENTS_V2, which a Components V2 body must carry in an edit too.
 */
function editFlags(body: Record<string, unknown>): Record<string, unknown> {
  const { flags, ...rest } = body;
  const v2 = typeof flags === 'number' ? flags & IS_COMPONENTS_V2 : 0;
  return v2 ? { ...rest, flags: v2 } : rest;
}

/**
 * Runs a slash command through the router and answers within Discord's window: directly when the
 * router is quick, else deferred first and the reply edited in. A digest longer than one message
 * continues in follow-ups. The same over the gateway and over HTTP: only `responder` differs.
 */
export async function answerCommand(
  interaction: RawInteraction,
  responder: InteractionResponder,
  deps: InteractionDeps,
  cached: CachedPermissions | null = null,
): Promise<void> {
  if (isForgedGuildInteraction(interaction)) {
    logForged(interaction, deps);
    const text = messages(localeFrom(interaction.locale ?? undefined)).refusals.unverifiedMember;
    const message = await toWireMessage(renderDiscordText(text)[0]!, { ephemeral: true });
    await responder.respond({ type: InteractionResponseType.ChannelMessageWithSource, data: message.body });
    return;
  }
  const context = buildContext(interaction, deps, cached);
  const commandName = interaction.commandName ?? '';
  const pending = deps.router.handle(commandName, readArgs(interaction), context).catch((error: unknown): CommandReply => {
    deps.logger.error({ event: 'discord-command-failed', command: commandName, err: error }, 'command failed');
    return { kind: 'text', text: messages(context.locale).errors.apology, ephemeral: true };
  });

  let reply = await withinBudget(pending, deps.replyBudgetMs);
  const deferred = reply === null;
  if (reply === null) {
    await responder.respond({ type: InteractionResponseType.DeferredChannelMessageWithSource });
    reply = await pending;
  }

  const { messages: rendered, ephemeral } = render(reply, deps, context.locale);
  const [first, ...rest] = rendered;
  if (!first) return;
  if (!deferred) {
    const message = await toWireMessage(first, { ephemeral });
    await responder.respond({ type: InteractionResponseType.ChannelMessageWithSource, data: message.body, files: message.files });
  } else if (ephemeral) {
    // A deferral is public and cannot be made private afterwards: remove the "thinking…" message
    // and answer privately in a follow-up, so a refusal or error stays between bot and caller.
    await responder.deleteOriginal();
    await responder.followUp(await toWireMessage(first, { ephemeral: true }));
  } else {
    const message = await toWireMessage(first);
    await responder.editOriginal({ body: editFlags(message.body), files: message.files });
  }
  for (const message of rest) await responder.followUp(await toWireMessage(message, { ephemeral }));
}

