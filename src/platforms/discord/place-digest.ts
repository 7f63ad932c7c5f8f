import type { REST } from 'discord.js';
import type { DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { Digest } from '../../report/digest-types.ts';
import { DEFAULT_PRESENTATION, type Destination, type SendDigestOptions, type SendResult } from '../platform.ts';
import type { ChannelFactsCache } from './channel-facts.ts';
import { classifyDiscordError } from './classify-error.ts';
import { publishMessages } from './crosspost.ts';
import { postForumDigest, type ForumDeps } from './forum-post.ts';
import { channelMessages, postDiscordMessages } from './send-digest.ts';

/** What placing a digest needs of the platform. */
export interface PlacementDeps extends ForumDeps {
  channels: ChannelFactsCache;
}

/**
 * Sends a rendered digest where its destination wants it, by the channel's kind: a thread or a
 * text channel gets messages; a forum or media channel a new post (tagged as the subscription
 * asks); an announcement channel messages that are then published, unless the subscription turned
 * publishing off. The rendering is not looked at: whatever layout it has goes as is. Throws SendError.
 */
export async function placeDigest(
  deps: PlacementDeps,
  destination: Destination,
  digest: Digest,
  rendered: readonly DiscordOutgoingMessage[],
  key: string,
  options: SendDigestOptions = {},
): Promise<SendResult> {
  // A thread (a forum post included) takes messages whatever its parent is.
  if (destination.threadId !== null) return postDiscordMessages(deps.rest, destination, rendered, key, options);
  const presentation = options.presentation ?? DEFAULT_PRESENTATION;
  let facts;
  try {
    facts = await deps.channels.get(destination.chatId);
  } catch (error) {
    throw classifyDiscordError(error, destination);
  }
  if (facts.kind === 'forum') {
    const spec = { name: digest.title, tagId: presentation.forumTagId ?? null };
    return postForumDigest(deps, destination, facts, spec, rendered, key, options);
  }
  if (facts.kind === 'announcement' && presentation.publish !== false) {
    const inChannel = channelMessages(deps.rest, () => destination.chatId, key);
    return postDiscordMessages(deps.rest, destination, rendered, key, options, {
      ...inChannel,
      finish: (messageIds) => publishMessages(deps.rest, destination.chatId, messageIds, options),
    });
  }
  return postDiscordMessages(deps.rest, destination, rendered, key, options);
}
