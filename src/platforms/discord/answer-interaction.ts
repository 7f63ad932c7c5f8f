import { ComponentType, InteractionType } from 'discord.js';
import { answerButton } from './handle-component.ts';
import { answerAutocomplete, answerCommand, type CachedPermissions, type InteractionDeps } from './handle-interaction.ts';
import type { InteractionResponder } from './interaction-responder.ts';
import type { RawInteraction } from './raw-interaction.ts';

/**
 * The one entry point for an interaction, whichever transport delivered it: slash commands,
 * date autocomplete and button presses go to their handlers; anything else (a context-menu
 * command, a select menu: the bot registers none) is left unanswered and reported as false.
 */
export async function answerInteraction(
  interaction: RawInteraction,
  responder: InteractionResponder,
  deps: InteractionDeps,
  cached: CachedPermissions | null = null,
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
