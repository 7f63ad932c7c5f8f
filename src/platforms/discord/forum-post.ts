import { Routes, type REST } from 'discord.js';
import type { DiscordComponentsBody, DiscordMessageBody, DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { Destination, SendDigestOptions, SendResult } from '../platform.ts';
import type { ChannelFacts } from './channel-facts.ts';
import { forumOpeningMark, readEarlierAttempt } from './ledger-marks.ts';
import { multipartRequest } from './multipart-body.ts';
import { channelMessages, postDiscordMessages, type MessagePlacement } from './send-digest.ts';

/** Discord's longest thread name. */
const THREAD_NAME_CHARS = 100;

/**
 * How far back from the opening mark a post is still taken for ours: the mark is stamped with
 * this machine's clock, the post's id with Discord's, and the two may differ by a little.
 */
const CLOCK_MARGIN_MS = 60_000;

/** What a forum post of a digest is called and tagged with. */
export interface ForumPostSpec {
  /** The post's title (the digest's title: the configured `titlePrefix` and the date). */
  name: string;
  /** A tag from the forum's `available_tags`, or null. */
  tagId: string | null;
}

/** How the forum sender reaches Discord. */
export interface ForumDeps {
  rest: REST;
  /**
   * A REST client that never sends a request again by itself: opening a post has no nonce, so a
   * request whose answer was lost must not be repeated blindly (it would open a second post); the
   * next attempt looks for the post instead.
   */
  restOnce: REST;
  /** The bot's own user id (the owner of the posts it opens). */
  botUserId: () => Promise<string>;
  now?: () => number;
}

/** The post's name within Discord's limit. */
export function forumPostName(title: string): string {
  const chars = [...title.trim()];
  return chars.length <= THREAD_NAME_CHARS ? chars.join('') : `${chars.slice(0, THREAD_NAME_CHARS - 1).join('')}…`;
}

/** The first message of a post: the rendered body as is, without what only `POST /messages` takes. */
function starterMessage(body: DiscordMessageBody | DiscordComponentsBody): Omit<DiscordMessageBody | DiscordComponentsBody, 'nonce' | 'enforce_nonce'> {
  const { nonce: _nonce, enforce_nonce: _enforce, ...message } = body;
  return message;
}

/**
 * The post an earlier attempt opened but could not record (the bot died, or the answer was lost,
 * between Discord's acceptance and the ledger's write): among the guild's active threads, the one
 * in this forum, by this bot, of this name, opened after the attempt's mark. Null when none is.
 */
async function findOpenedPost(deps: ForumDeps, forum: ChannelFacts, name: string, since: string): Promise<string | null> {
  if (forum.guildId === null) return null;
  const botId = await deps.botUserId();
  const answer = (await deps.rest.get(Routes.guildActiveThreads(forum.guildId))) as { threads?: unknown };
  const threads = Array.isArray(answer.threads) ? (answer.threads as Record<string, unknown>[]) : [];
  const lowest = BigInt(since);
  const ours = threads
    .filter((t) => t['parent_id'] === forum.id && t['owner_id'] === botId && t['name'] === name && typeof t['id'] === 'string')
    .map((t) => BigInt(t['id'] as string))
    .filter((id) => id >= lowest)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return ours[0]?.toString() ?? null;
}

/**
 * Posts a digest into a forum or media channel as a new post: `POST /channels/{id}/threads` named
 * `spec.name`, tagged `spec.tagId`, with the first message as the post's starter message (its
 * files uploaded in the same request); further messages go into the post. A post's thread id is
 * its starter message's id, so the ledger's part 0 names both. Before the post is requested a mark
 * goes to the ledger; a resume that finds the mark but no part 0 adopts the post already opened
 * instead of opening a second one. Throws SendError.
 */
export async function postForumDigest(
  deps: ForumDeps,
  destination: Destination,
  forum: ChannelFacts,
  spec: ForumPostSpec,
  messages: readonly DiscordOutgoingMessage[],
  key: string,
  options: SendDigestOptions = {},
): Promise<SendResult> {
  const now = deps.now ?? Date.now;
  const name = forumPostName(spec.name);
  const sentParts = [...(options.sentParts ?? [])];
  const earlier = readEarlierAttempt(sentParts);
  let threadId = earlier.messages.get(0) ?? null;
  if (threadId === null && earlier.forumOpeningSince !== null) {
    threadId = await findOpenedPost(deps, forum, name, earlier.forumOpeningSince).catch(() => null);
    if (threadId !== null) {
      const adopted = { index: 0, messageId: threadId, plan: '' };
      sentParts.push(adopted);
      await options.onPartAccepted?.(adopted);
    }
  }
  const inThread = channelMessages(deps.rest, () => threadId ?? forum.id, key);
  const placement: MessagePlacement = {
    async prepare(index) {
      if (index !== 0) return;
      await options.onPartAccepted?.(forumOpeningMark(now() - CLOCK_MARGIN_MS));
    },
    async post(index, body, files, variant) {
      if (index !== 0) return inThread.post(index, body, files, variant);
      const payload = { name, ...(spec.tagId !== null ? { applied_tags: [spec.tagId] } : {}), message: starterMessage(body) };
      const created = (await deps.restOnce.post(Routes.threads(forum.id), multipartRequest(payload, files))) as {
        id: string;
        message?: { id?: string };
      };
      threadId = created.message?.id ?? created.id;
      return threadId;
    },
  };
  return postDiscordMessages(deps.rest, destination, messages, key, { ...options, sentParts }, placement);
}
