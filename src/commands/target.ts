import { describeDestination } from '../words.ts';
import type { Destination } from '../words.ts';
import type { CommandArgs, CommandContext } from './types.ts';

/**
 * Where a subscribe / unsubscribe / repost acts: the channel picked with the `channel` option
 * (Discord; a picked thread arrives as its parent plus `thread`), else the place the command came
 * from, thread or forum topic included.
 */
export function resolveTarget(args: CommandArgs, context: CommandContext): Destination {
  const channel = args.channel?.trim();
  if (!channel) return context.destination;
  const thread = args.thread?.trim();
  // A channel picked explicitly is that channel itself, even when the command runs in one of its
  // threads: Discord users pick the parent to mean the parent.
  return { platform: context.platform, chatId: channel, threadId: thread || null };
}

/** True when both name the same chat and the same thread / topic. */
export function sameDestination(a: Destination, b: Destination): boolean {
  return a.platform === b.platform && a.chatId === b.chatId && a.threadId === b.threadId;
}

/** Who asked, as recorded in the store and ledger: `discord:<user id>`, `telegram:<user id>`. */
export function requesterOf(context: CommandContext): string {
  return `${context.platform}:${context.userId ?? 'anonymous'}`;
}

export { describeDestination };
