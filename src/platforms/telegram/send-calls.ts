import { describeDestination } from '../../words.ts';
import { GrammyError, InputFile, type Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from '../../log.ts';
import { TELEGRAM_LIMITS } from '../../render/limits.ts';
import type { TelegramCall } from '../../render/payload-types.ts';
import type { Destination } from '../platform.ts';
import { fileBytes, recentStat } from '../file-bytes.ts';

/**
 * Sends Bot API calls to one chat (and forum topic), in order, each through the api's
 * transformers (pacing, in-place retries). Returns the message ids; the first call that fails for
 * good throws grammY's error, and the calls after it are not sent.
 */
export async function sendTelegramCalls(
  api: Api,
  destination: Destination,
  calls: readonly TelegramCall[],
  logger: Logger,
): Promise<string[]> {
  const ids: string[] = [];
  for (const call of calls) ids.push(String((await sendTelegramCall(api, destination, call, logger)).message_id));
  return ids;
}

/**
 * One call with `chat_id` and, for a forum topic, `message_thread_id`; logs one line. A photo is
 * uploaded from its file, or with `photoFileId` referenced by the file_id of an earlier upload.
 * Returns the message Telegram answered with. With `signal`, a call still waiting for its turn
 * in the pacer (or for a retry) is dropped once it aborts; one already sent runs to its answer.
 */
export async function sendTelegramCall(
  api: Api,
  destination: Destination,
  call: TelegramCall,
  logger: Logger,
  photoFileId?: string,
  signal?: AbortSignal,
): Promise<Message> {
  const where = destination.threadId === null ? {} : { message_thread_id: Number(destination.threadId) };
  // grammY types its signal with the abort-controller package's class; the runtime object is the same.
  const abort = signal as Parameters<Api['sendMessage']>[3];
  const line = {
    event: 'telegram-send',
    destination: describeDestination(destination),
    method: call.method,
    ...(call.method === 'sendPhoto' ? { photo: photoFileId === undefined ? 'upload' : 'file-id' } : {}),
  };
  try {
    const message =
      call.method === 'sendPhoto'
        ? await api.sendPhoto(
            destination.chatId,
            photoFileId ?? new InputFile(await fileBytes(call.photo.path), call.photo.name),
            { ...call.params, ...where },
            abort,
          )
        : await api.sendMessage(destination.chatId, call.params.text, { ...call.params, ...where }, abort);
    logger.info({ ...line, outcome: 'ok', messageId: message.message_id }, 'telegram send');
    return message;
  } catch (error) {
    logger.warn(
      {
        ...line,
        outcome: 'failed',
        code: error instanceof GrammyError ? error.error_code : null,
        reason: error instanceof Error ? error.message : String(error),
      },
      'telegram send failed',
    );
    throw error;
  }
}

/**
 * Whether Telegram refused the picture itself (too big, unreadable, bad dimensions), as opposed
 * to the chat or the caption: then the digest can still go out as text.
 */
export function isPhotoRefusal(error: unknown): boolean {
  if (!(error instanceof GrammyError) || error.method !== 'sendPhoto') return false;
  if (error.error_code === 413) return true;
  return (
    error.error_code === 400 &&
    /IMAGE_PROCESS_FAILED|PHOTO_|photo|too big|file|Request Entity Too Large/i.test(error.description) &&
    !/chat not found|thread not found|parse entities/i.test(error.description)
  );
}

/**
 * A photo we know Telegram would refuse, or cannot upload at all (missing file): why, or null.
 * Checked before uploading so a 10 MB+ file is never sent just to be refused.
 */
export async function photoProblem(call: TelegramCall): Promise<string | null> {
  if (call.method !== 'sendPhoto') return null;
  try {
    const info = await recentStat(call.photo.path);
    if (!info.isFile()) return `${call.photo.path} is not a file`;
    if (info.size > TELEGRAM_LIMITS.photoBytes) return `${call.photo.name} is ${info.size} bytes, over the photo limit`;
    return null;
  } catch (error) {
    return `${call.photo.path} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  }
}

