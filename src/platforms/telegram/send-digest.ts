import { createHash } from 'node:crypto';
import type { Api } from 'grammy';
import type { Logger } from '../../log.ts';
import type { TelegramCall } from '../../render/payload-types.ts';
import { renderTelegramCalls } from '../../render/telegram.ts';
import { withPhotoMessage } from '../../render/navigation-buttons.ts';
import type { Digest } from '../../report/digest-types.ts';
import type { Destination, SendResult } from '../platform.ts';
import type { PhotoFileIds } from './photo-file-ids.ts';
import { isPhotoRefusal, photoProblem, sendTelegramCall } from './send-calls.ts';
import { sendTelegramPhoto } from './send-photo.ts';

/** A digest whose sending stopped part-way: the calls chosen and the messages already out. */
interface Progress {
  fingerprint: string;
  plan: TelegramCall[];
  messageIds: string[];
  imageDropped: boolean;
}

/**
 * Remembers digests that failed part-way, per idempotency key and destination, so that when
 * delivery sends the same digest again only the calls that did not go out are sent: a word
 * cloud that already arrived is never posted twice. Bounded; the oldest entries go first.
 */
export class DigestProgressMemory {
  private readonly entries = new Map<string, Progress>();

  constructor(private readonly capacity = 1000) {}

  get(key: string): Progress | undefined {
    return this.entries.get(key);
  }

  set(key: string, progress: Progress): void {
    this.entries.delete(key);
    this.entries.set(key, progress);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** What sendTelegramDigest may remember between sends. */
export interface DigestSendOptions {
  /** Resume a digest that stopped part-way under the same key. */
  resume?: { memory: DigestProgressMemory; key: string };
  /** Send a picture uploaded before by its file_id instead of uploading it again. */
  photos?: PhotoFileIds;
}

/**
 * Posts a digest: the word cloud with its caption, then the text messages. When the picture is
 * refused (or cannot be read) the digest is rendered again without it and goes out as text only,
 * headline included, with `imageDropped`. Single calls are retried in the api's transformer, so
 * an error here means a call failed for good; it is grammY's error, classified by the caller.
 * With `resume`, a later send of the same digest under the same key resumes after the last
 * message that went out; with `photos`, a picture already on Telegram is not uploaded again.
 */
export async function sendTelegramDigest(
  api: Api,
  destination: Destination,
  digest: Digest,
  logger: Logger,
  options: DigestSendOptions = {},
): Promise<SendResult> {
  const { resume, photos } = options;
  const calls = renderTelegramCalls(digest);
  const fingerprint = createHash('sha256').update(JSON.stringify(calls)).digest('hex');
  const memoryKey = resume ? `${resume.key}|${destination.chatId}|${destination.threadId ?? ''}` : '';
  const saved = resume?.memory.get(memoryKey);
  const progress: Progress =
    saved?.fingerprint === fingerprint
      ? { ...saved, messageIds: [...saved.messageIds] }
      : { fingerprint, plan: calls, messageIds: [], imageDropped: false };
  if (saved?.fingerprint === fingerprint) {
    logger.info(
      { event: 'telegram-digest-resumed', slug: digest.slug, alreadySent: progress.messageIds.length },
      'resuming a digest that stopped part-way',
    );
  }

  const dropImage = (reason: string): void => {
    logger.warn({ event: 'telegram-image-dropped', slug: digest.slug, reason }, 'sending the digest as text only');
    // The photo is the first call, so nothing has gone out yet: the text-only rendering is whole.
    progress.plan = renderTelegramCalls({ ...digest, image: null });
    progress.imageDropped = true;
  };

  try {
    while (progress.messageIds.length < progress.plan.length) {
      const call = progress.plan[progress.messageIds.length]!;
      if (call.method === 'sendPhoto') {
        const problem = await photoProblem(call);
        if (problem !== null) {
          dropImage(problem);
          continue;
        }
      }
      try {
        const message =
          call.method === 'sendPhoto' && photos
            ? await sendTelegramPhoto(api, destination, call, logger, photos)
            : await sendTelegramCall(api, destination, withPhotoReference(call, progress), logger);
        progress.messageIds.push(String(message.message_id));
      } catch (error) {
        if (call.method !== 'sendPhoto' || !isPhotoRefusal(error)) throw error;
        dropImage(error instanceof Error ? error.message : String(error));
      }
    }
  } catch (error) {
    if (resume && progress.messageIds.length > 0) resume.memory.set(memoryKey, progress);
    throw error;
  }
  resume?.memory.delete(memoryKey);
  return { messageIds: progress.messageIds, imageDropped: progress.imageDropped };
}

/** Navigation buttons name the digest's photo message (sent first), so a press can edit it too. */
function withPhotoReference(call: TelegramCall, progress: Progress): TelegramCall {
  const photoId = progress.plan[0]?.method === 'sendPhoto' ? progress.messageIds[0] : undefined;
  if (call.method !== 'sendMessage' || !call.params.reply_markup || photoId === undefined) return call;
  return { ...call, params: { ...call.params, reply_markup: withPhotoMessage(call.params.reply_markup, photoId) } };
}
