import { MessageFlags, type ButtonInteraction, type InteractionReplyOptions, type InteractionUpdateOptions } from 'discord.js';
import type { CommandContext, CommandReply } from '../../commands/types.ts';
import { localeFrom, messages } from '../../i18n/index.ts';
import { decodeAction } from '../../render/button-actions.ts';
import { renderDiscordMessages, renderDiscordText } from '../../render/discord.ts';
import type { DiscordMessage } from '../../render/payload-types.ts';
import type { Destination } from '../platform.ts';
import type { InteractionDeps } from './handle-interaction.ts';

/** discord.js message options for a rendered message: embeds, buttons, the word cloud by path. */
function messageOptions(message: DiscordMessage): { embeds: DiscordMessage['body']['embeds']; components: NonNullable<DiscordMessage['body']['components']>; files: { attachment: string; name: string }[]; content?: string } {
  const { content, embeds, components } = message.body;
  return {
    ...(content !== undefined ? { content } : {}),
    embeds,
    components: components ?? [],
    files: message.files.map((file) => ({ attachment: file.path, name: file.name })),
  };
}

/**
 * The neutral context of a button press: reading is public, so whoever pressed may; nothing a
 * button does changes a subscription, so `canManage` is never needed and always false.
 */
function pressContext(interaction: ButtonInteraction, deps: InteractionDeps): CommandContext {
  const channel = interaction.channel;
  const inThread = channel?.isThread() === true && channel.parentId !== null;
  const destination: Destination = {
    platform: 'discord',
    chatId: inThread ? channel.parentId! : interaction.channelId,
    threadId: inThread ? interaction.channelId : null,
  };
  return {
    platform: 'discord',
    destination,
    chatTitle: null,
    guildId: interaction.guildId,
    userId: interaction.user.id,
    locale: localeFrom(interaction.locale),
    isPrivateChat: !interaction.inGuild(),
    isOwner: deps.owners.includes(interaction.user.id),
    canManage: async () => false,
  };
}

/**
 * Answers a button press. Previous / next (`show:`) replaces the digest in the message it was
 * pressed on (interaction response UPDATE_MESSAGE: new embeds, new buttons, the new word cloud in
 * place of the old attachment), so nobody else sees a new message; a digest longer than one
 * message continues in follow-ups only the presser sees. A search result (`open:`) shows that
 * day's digest to the presser alone. The date comes from the button and the report from the
 * library, so a button from a message posted before a restart works the same.
 */
export async function answerButton(interaction: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const action = decodeAction(interaction.customId);
  const context = pressContext(interaction, deps);
  if (action === null) {
    // A disabled placeholder or a button of an older version of the bot: say so, privately.
    await interaction.reply({ content: messages(context.locale).errors.staleButton, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    return;
  }
  const reply: CommandReply = await deps.router.handle('report', { date: action.date }, context).catch((error: unknown): CommandReply => {
    deps.logger.error({ event: 'discord-button-failed', customId: interaction.customId, err: error }, 'button failed');
    return { kind: 'text', text: messages(context.locale).errors.apology, ephemeral: true };
  });
  if (reply.kind !== 'digest') {
    const [first] = renderDiscordText(reply.kind === 'text' ? reply.text : messages(context.locale).errors.apology);
    await interaction.reply({ ...messageOptions(first!), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } satisfies InteractionReplyOptions);
    return;
  }
  const [first, ...rest] = renderDiscordMessages(reply.digest, { color: deps.color });
  if (!first) return;
  if (action.kind === 'show') {
    // `attachments: []` drops the old word cloud; the new one (if any) is uploaded with the update.
    await interaction.update({ ...messageOptions(first), attachments: [], allowedMentions: { parse: [] } } satisfies InteractionUpdateOptions);
  } else {
    await interaction.reply({ ...messageOptions(first), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }
  for (const message of rest) {
    await interaction.followUp({ ...messageOptions(message), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
  }
}
