import { CommandInputError } from '../commands/input-error.ts';
import { checkPostingTarget } from '../commands/posting-checks.ts';
import { messages } from '../i18n/index.ts';
import { inspectThroughRest } from '../platforms/discord/bot-permissions.ts';
import type { Destination } from '../words.ts';
import { UsageError } from './parse-cli-args.ts';

/**
 * `digest subs add … --tag NAME`: the id of the forum tag NAME in the destination's channel, looked
 * up on Discord with the bot's token and resolved as /subscribe does (an unknown name refused
 * listing the forum's tags); null for `none`. Throws UsageError with the explanation.
 */
export async function resolveTagForCli(token: string | null, apiBase: string | null, destination: Destination, name: string): Promise<string | null> {
  const m = messages('en');
  if (destination.platform !== 'discord') throw new UsageError(m.settings.discordOnly('--tag'));
  const inspectTarget = token ? (target: Destination, withImage: boolean) => inspectThroughRest(token, apiBase, target, withImage) : undefined;
  try {
    const checked = await checkPostingTarget({ tag: name }, inspectTarget ? { inspectTarget } : {}, destination, 'there', { requirePosting: false, withImage: true }, m);
    return checked.forumTagId ?? null;
  } catch (error) {
    if (!(error instanceof CommandInputError)) throw error;
    // Without a token the tags cannot be read at all: say what is missing rather than "try again".
    throw new UsageError(token ? error.reply : '--tag needs DISCORD_TOKEN to look up the forum\'s tags on Discord');
  }
}
