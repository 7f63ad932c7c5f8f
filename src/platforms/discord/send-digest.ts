import { createHash } from 'node:crypto';
import { Routes, type REST, type RawFile } from 'discord.js';
import {
  isComponentsMessage,
  type DiscordComponentsBody,
  type DiscordContainerChild,
  type DiscordMessageBody,
  type DiscordOutgoingMessage,
} from '../../render/payload-types.ts';
import { SendError, type Destination, type SendDigestOptions, type SendResult } from '../platform.ts';
import { multipartRequest } from './multipart-body.ts';
import { uploadsOf } from './upload-files.ts';
import { classifyDiscordError, isFileRefusal } from './classify-error.ts';
import { readEarlierAttempt } from './ledger-marks.ts';

/** Discord accepts a nonce of at most 25 characters. */
const NONCE_CHARS = 25;

/**
 * The nonce of message `index` of the send identified by `key`: the same key and index always give
 * the same nonce, so with `enforce_nonce` a resend after a crash returns the message already posted.
 */
export function messageNonce(key: string, index: number, variant = ''): string {
  return createHash('sha256').update(`${key}\u0000${index}\u0000${variant}`).digest('base64url').slice(0, NONCE_CHARS);
}

/** The body without the word cloud: no `attachment://` image, no attachments. */
function withoutImage(message: DiscordOutgoingMessage): DiscordMessageBody | DiscordComponentsBody {
  if (isComponentsMessage(message)) {
    const { attachments: _attachments, ...rest } = message.body;
    // A media gallery of uploads goes with them; the container keeps everything else.
    const uploadedGallery = (child: DiscordContainerChild): boolean =>
      child.type === 12 && child.items.every((item) => item.media.url.startsWith('attachment://'));
    return {
      ...rest,
      components: rest.components.map((container) => ({ ...container, components: container.components.filter((c) => !uploadedGallery(c)) })),
    };
  }
  const { attachments: _attachments, ...rest } = message.body;
  return {
    ...rest,
    embeds: message.body.embeds.map((embed) => {
      if (!embed.image?.url.startsWith('attachment://')) return embed;
      const { image: _image, ...kept } = embed;
      return kept;
    }),
  };
}


/**
 * Where each message of a digest goes, and how: the "where is it posted" layer. The body is the
 * renderer's, whatever its layout (embeds or Components V2 with their flags); a placement only
 * wraps it. `variant` is '' or 'no-image' (the text-only fallback), for the nonce.
 */
export interface MessagePlacement {
  /** Posts message `index`; resolves with its id. discord.js errors pass through unclassified. */
  post(index: number, body: DiscordMessageBody | DiscordComponentsBody, files: RawFile[], variant: string): Promise<string>;
  /**
   * Called before message `index` is posted, before `beforeSend`: what must be in the ledger
   * before the request leaves (a forum post's opening mark). Optional.
   */
  prepare?(index: number): Promise<void>;
  /** Called once every message is posted (publishing in an announcement channel). Optional. */
  finish?(messageIds: readonly string[]): Promise<void>;
}

/**
 * Messages in a channel or thread (`POST /channels/{id}/messages`), each with a nonce derived from
 * `key` and `enforce_nonce`, so resending a half-delivered digest posts only what is missing.
 * `channelId` is read at each post (a forum post's thread is known only once it is opened).
 */
export function channelMessages(rest: REST, channelId: () => string, key: string): MessagePlacement {
  return {
    async post(index, body, files, variant) {
      const payload = { ...body, nonce: messageNonce(key, index, variant), enforce_nonce: true };
      const created = (await rest.post(Routes.channelMessages(channelId()), multipartRequest(payload, files))) as { id: string };
      return created.id;
    },
  };
}

/**
 * Posts rendered messages in order through discord.js's REST client, which paces per the
 * rate-limit headers and retries 5xx and 429 itself; `placement` decides where each goes (a
 * channel or thread by default). When the image upload is refused (too large, unreadable) the
 * digest goes out without it (a Components V2 message without its media gallery). With `options.sentParts` (the ledger's record of an earlier attempt)
 * those messages are not posted again; each message Discord accepts is reported through
 * `onPartAccepted` before the next is posted; once `signal` is aborted no further message starts.
 * Throws SendError.
 */
export async function postDiscordMessages(
  rest: REST,
  destination: Destination,
  messages: readonly DiscordOutgoingMessage[],
  key: string,
  options: SendDigestOptions = {},
  placement: MessagePlacement = channelMessages(rest, () => destination.threadId ?? destination.chatId, key),
): Promise<SendResult> {
  const messageIds: string[] = [];
  const earlier = readEarlierAttempt(options.sentParts ?? []).messages;
  let imageDropped = false;
  for (const [index, message] of messages.entries()) {
    const recorded = earlier.get(index);
    if (recorded !== undefined) {
      messageIds.push(recorded);
      continue;
    }
    if (options.signal?.aborted) {
      throw new SendError('transient', destination, `stopped before message ${index} of ${messages.length}`);
    }
    await placement.prepare?.(index);
    await options.beforeSend?.();
    let id: string;
    try {
      let files: RawFile[] | null;
      try {
        files = await uploadsOf(message);
      } catch (error) {
        // A word cloud that vanished from disk must not cost the digest: send the text.
        if (message.files.length === 0) throw error;
        files = null;
      }
      if (files === null) {
        id = await placement.post(index, withoutImage(message), [], 'no-image');
        imageDropped = true;
      } else {
        try {
          id = await placement.post(index, message.body, files, '');
        } catch (error) {
          if (files.length === 0 || !isFileRefusal(error)) throw error;
          id = await placement.post(index, withoutImage(message), [], 'no-image');
          imageDropped = true;
        }
      }
    } catch (error) {
      throw classifyDiscordError(error, destination);
    }
    messageIds.push(id);
    await options.onPartAccepted?.({ index, messageId: id, plan: '' });
  }
  try {
    await placement.finish?.(messageIds);
  } catch (error) {
    throw classifyDiscordError(error, destination);
  }
  return { messageIds, imageDropped };
}
