import type { Api } from 'grammy';
import type { Logger } from '../../log.ts';
import { renderTelegramCalls } from '../../render/telegram.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { Destination, SendResult } from '../platform.ts';
import { isPhotoRefusal, photoProblem, sendTelegramCall, sendTelegramCalls } from './send-calls.ts';

/**
 * Posts a digest: the word cloud with its caption, then the text messages. When the picture is
 * refused (or cannot be read) the digest is rendered again without it and goes out as text only,
 * headline included, with `imageDropped`. Retries of single calls happen in the api's transformer,
 * so an error here means a call failed for good; it is grammY's error, classified by the caller.
 */
export async function sendTelegramDigest(
  api: Api,
  destination: Destination,
  digest: Digest,
  logger: Logger,
): Promise<SendResult> {
  const calls = renderTelegramCalls(digest);
  const [first, ...rest] = calls;
  if (first?.method !== 'sendPhoto') {
    return { messageIds: await sendTelegramCalls(api, destination, calls, logger), imageDropped: false };
  }

  const problem = await photoProblem(first);
  if (problem === null) {
    try {
      const photoId = await sendTelegramCall(api, destination, first, logger);
      return { messageIds: [photoId, ...(await sendTelegramCalls(api, destination, rest, logger))], imageDropped: false };
    } catch (error) {
      if (!isPhotoRefusal(error)) throw error;
      logger.warn(
        { event: 'telegram-image-dropped', slug: digest.slug, reason: error instanceof Error ? error.message : String(error) },
        'photo refused; sending the digest as text',
      );
    }
  } else {
    logger.warn({ event: 'telegram-image-dropped', slug: digest.slug, reason: problem }, 'photo unusable; sending the digest as text');
  }
  // The photo was the first call, so nothing has gone out yet: the text-only rendering is whole.
  const textOnly = renderTelegramCalls({ ...digest, image: null });
  return { messageIds: await sendTelegramCalls(api, destination, textOnly, logger), imageDropped: true };
}
