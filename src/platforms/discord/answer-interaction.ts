import { ComponentType, InteractionType } from 'discord.js';
import { answerButton } from './handle-component.ts';
import { answerAutocomplete, answerCommand, type CachedPermissions, type InteractionDeps } from './handle-interaction.ts';
import type { InteractionResponder } from './interaction-responder.ts';
import type { RawInteraction } from './raw-interaction.ts';
import { inSendLane } from '../send-lane.ts';

/**
 * The one entry point for an interaction, whichever transport delivered it: slash commands,
 * date autocomplete and button presses go to their handlers; anything else (a context-menu
 * command, a select menu: the bot registers none) is left unanswered and reported as false.
 *
 * Interaction answers carry no bot token and pass the global pacer untouched; any request made
 * with the token while answering still waits in its reply lane, ahead of a fan-out's.
 */
export function answerInteraction(
  interaction: RawInteraction,
  responder: InteractionResponder,
  deps: InteractionDeps,
  cached: CachedPermissions | null = null,
): Promise<boolean> {
  return inSendLane('reply', () => dispatchInteraction(interaction, responder, deps, cached));
}

async function dispatchInteraction(
  interaction: RawInteraction,
  responder: InteractionResponder,
  deps: InteractionDeps,
  cached: CachedPermissions | null,
): Promise<boolean> {
  switch (interaction.type) {
    case InteractionType.ApplicationCommandAutocomplete:
      await answerAutocomplete(interaction, responder, deps);
      return true;
    case InteractionType.ApplicationCommand:
      if (interaction.commandName === null) return false;
      await answerCommand(interaction, responder, deps, cached);
      return true;
    case InteractionType.MessageComponent:
      if (interaction.componentType !== ComponentType.Button) return false;
      await answerButton(interaction, responder, deps);
      return true;
    default:
      return false;
  }
}
