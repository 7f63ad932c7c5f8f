import { DiscordAPIError, Routes, type REST, type RawFile } from 'discord.js';
import type { DiscordComponentsBody, DiscordMessageBody, DiscordOutgoingMessage } from '../../render/payload-types.ts';
import type { Destination, DigestEditResult, SentPart } from '../platform.ts';
import { uploadsOf } from './upload-files.ts';
import { classifyDiscordError } from './classify-error.ts';
import { readEarlierAttempt } from './ledger-marks.ts';
import { multipartRequest } from './multipart-body.ts';

/** Codes that mean this message can no longer be edited: a correction reports them, never resends. */
const NOT_EDITABLE_CODES = new Set([
  10003, // Unknown Channel
  10008, // Unknown Message (deleted)
  50001, // Missing Access
  50005, // Cannot edit a message authored by another user
  50083, // Thread is archived
]);

/** SUPPRESS_NOTIFICATIONS: a creation-time flag Discord refuses on an edit. */
const SUPPRESS_NOTIFICATIONS = 1 << 12;

/**
 * The PATCH body of one rendered message: what it shows (content, embeds, components, flags
 * Discord lets an edit keep) and its attachments. An explicit attachment list replaces the old
 * word cloud with the new one, or drops it when the correction has none.
 */
function editBody(body: DiscordMessageBody | DiscordComponentsBody): Record<string, unknown> {
  const { nonce: _nonce, enforce_nonce: _enforce, flags, attachments, ...shown } = body;
  const kept = flags === undefined ? undefined : flags & ~SUPPRESS_NOTIFICATIONS;
  return {
    ...shown,
    components: body.components ?? [],
    attachments: attachments ?? [],
    ...(kept ? { flags: kept } : {}),
  };
}


/**
 * Edits the messages of a delivered digest (`delivered`, the ledger's parts in order) to the
 * corrected rendering `messages`, one PATCH per message through discord.js's REST client (which
 * waits out 429s). The corrected digest must fit the same number of messages: Discord cannot turn
 * one message into two by editing. A message that is gone or no longer the bot's to edit ends the
 * correction with its reason; other failures throw SendError. Nothing is posted anew. The ledger's
 * marks (a forum post's opening, publishes) are not messages and are passed over. `inForumPost`: the
 * digest opened a forum post, whose messages live in the post (its id is the first message's).
 */
export async function editDiscordMessages(
  rest: REST,
  destination: Destination,
  messages: readonly DiscordOutgoingMessage[],
  delivered: readonly SentPart[],
  inForumPost = false,
): Promise<DigestEditResult> {
  const sorted = [...readEarlierAttempt(delivered).messages].sort(([a], [b]) => a - b).map(([, messageId]) => ({ messageId }));
  if (messages.length !== sorted.length) {
    return {
      status: 'not-editable',
      edited: 0,
      reason: `the corrected digest needs ${messages.length} message(s) where ${sorted.length} were delivered; Discord cannot add or remove messages by editing`,
    };
  }
  const channelId = destination.threadId ?? (inForumPost && sorted[0] ? sorted[0].messageId : destination.chatId);
  let edited = 0;
  for (const [index, message] of messages.entries()) {
    const messageId = sorted[index]!.messageId;
    try {
      const files = await uploadsOf(message).catch(() => null);
      const body = files === null ? { ...editBody(message.body), attachments: [] } : editBody(message.body);
      await rest.patch(Routes.channelMessage(channelId, messageId), multipartRequest(body, files ?? []));
      edited += 1;
    } catch (error) {
      if (error instanceof DiscordAPIError && NOT_EDITABLE_CODES.has(Number(error.code))) {
        return { status: 'not-editable', edited, reason: `message ${messageId}: ${error.message}` };
      }
      throw classifyDiscordError(error, destination);
    }
  }
  return { status: 'edited', edited, unchanged: 0 };
}
