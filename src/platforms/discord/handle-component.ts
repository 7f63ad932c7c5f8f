import { InteractionResponseType } from 'discord.js';
import type { CommandContext, CommandReply } from '../../commands/types.ts';
import { localeFrom, messages } from '../../i18n/index.ts';
import { decodeAction } from '../../render/button-actions.ts';
import { renderDiscordText } from '../../render/discord.ts';
import { renderDiscordDigest } from '../../render/discord-layout.ts';
import { IS_COMPONENTS_V2 } from '../../render/payload-types.ts';
import { destinationOf, withinBudget, type InteractionDeps } from './handle-interaction.ts';
import { toWireMessage, type InteractionResponder } from './interaction-responder.ts';
import type { RawInteraction } from './raw-interaction.ts';

/**
 * The neutral context of a button press: reading is public, so whoever pressed may; nothing a
 * button does changes a subscription, so `canManage` is never needed and always false.
 */
function pressContext(interaction: RawInteraction, deps: InteractionDeps): CommandContext {
  return {
    platform: 'discord',
    destination: destinationOf(interaction),
    chatTitle: null,
    guildId: interaction.guildId,
    userId: interaction.userId,
    locale: localeFrom(interaction.locale ?? undefined),
    isPrivateChat: interaction.guildId === null,
    isOwner: interaction.userId !== null && deps.owners.includes(interaction.userId),
    canManage: async () => false,
  };
}

/**
 * Answers a button press. Previous / next (`show:`) replaces the digest in the message it was
 * pressed on (interaction response UPDATE_MESSAGE: new embeds or, on a Components V2 message, new
 * components with the flag kept; new buttons, the new word cloud in place of the old attachment), so nobody else sees a new message; a digest longer than one
 * message continues in follow-ups only the presser sees. A search result (`open:`) shows that
 * day's digest to the presser alone. The date comes from the button and the report from the
 * library, so a button from a message posted before a restart works the same. A lookup slower
 * than the reply budget is deferred first (a deferred update for `show:`, a private "thinking…"
 * for `open:`) and the answer edited in.
 */
export async function answerButton(interaction: RawInteraction, responder: InteractionResponder, deps: InteractionDeps): Promise<void> {
  const action = decodeAction(interaction.customId ?? '');
  const context = pressContext(interaction, deps);
  const privateText = async (text: string) => toWireMessage(renderDiscordText(text)[0]!, { ephemeral: true });
  if (action === null) {
    // A disabled placeholder or a button of an older version of the bot: say so, privately.
    const message = await privateText(messages(context.locale).errors.staleButton);
    await responder.respond({ type: InteractionResponseType.ChannelMessageWithSource, data: message.body });
    return;
  }
  const pending = deps.router.handle('report', { date: action.date }, context).catch((error: unknown): CommandReply => {
    deps.logger.error({ event: 'discord-button-failed', customId: interaction.customId, err: error }, 'button failed');
    return { kind: 'text', text: messages(context.locale).errors.apology, ephemeral: true };
  });
  let reply = await withinBudget(pending, deps.replyBudgetMs);
  const deferred = reply === null;
  if (reply === null) {
    await responder.respond(
      action.kind === 'show'
        ? { type: InteractionResponseType.DeferredMessageUpdate }
        : { type: InteractionResponseType.DeferredChannelMessageWithSource, data: { flags: 64 } },
    );
    reply = await pending;
  }
  if (reply.kind !== 'digest') {
    const message = await privateText(reply.kind === 'text' ? reply.text : messages(context.locale).errors.apology);
    if (!deferred) await responder.respond({ type: InteractionResponseType.ChannelMessageWithSource, data: message.body });
    else if (action.kind === 'show') await responder.followUp(message);
    else await responder.editOriginal({ body: { content: message.body['content'], embeds: [], components: [] }, files: [] });
    return;
  }
  // Previous / next replace the digest in its own layout: a Components V2 message stays one (its
  // flag cannot be removed), an embed message stays one. Anything new follows `discord.layout`.
  const pressedV2 = (interaction.messageFlags & IS_COMPONENTS_V2) !== 0;
  const layout = action.kind === 'show' ? (pressedV2 ? 'components' : 'embeds') : deps.layout;
  const [first, ...rest] = renderDiscordDigest(reply.digest, { color: deps.color, layout });
  if (!first) return;
  if (action.kind === 'show') {
    // An explicit attachment list drops the old word cloud; the new one (if any) is uploaded with the update.
    const message = await toWireMessage(first, { replaceAttachments: true });
    if (deferred) await responder.editOriginal(message);
    else await responder.respond({ type: InteractionResponseType.UpdateMessage, data: message.body, files: message.files });
  } else if (deferred) {
    await responder.editOriginal(await toWireMessage(first));
  } else {
    const message = await toWireMessage(first, { ephemeral: true });
    await responder.respond({ type: InteractionResponseType.ChannelMessageWithSource, data: message.body, files: message.files });
  }
  for (const message of rest) await responder.followUp(await toWireMessage(message, { ephemeral: true }));
}
