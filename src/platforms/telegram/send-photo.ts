import type { Api } from 'grammy';
import type { Message } from 'grammy/types';
import type { Logger } from '../../log.ts';
import type { TelegramCall } from '../../render/payload-types.ts';
import type { Destination } from '../platform.ts';
import { photoKey, type PhotoFileIds } from './photo-file-ids.ts';
import { isPhotoRefusal, sendTelegramCall } from './send-calls.ts';

type PhotoCall = Extract<TelegramCall, { method: 'sendPhoto' }>;

/** File_ids tried per send before it uploads regardless (a stale one, then one just reissued). */
const MAX_FILE_ID_TRIES = 2;

/**
 * Sends a photo call by the `file_id` of an earlier upload of the same picture when `photos`
 * knows one, else uploads it and remembers the file_id Telegram answers with. A file_id Telegram
 * refuses is forgotten and the picture goes out by upload in this same send, so a stale id never
 * costs the digest its picture. Other failures are grammY's errors, as from sendTelegramCall; a
 * refused upload is the caller's to handle (the picture itself is bad).
 */
export async function sendTelegramPhoto(
  api: Api,
  destination: Destination,
  call: PhotoCall,
  logger: Logger,
  photos: PhotoFileIds,
  signal?: AbortSignal,
): Promise<Message> {
  const key = await photoKey(call.photo.path);
  if (key === null) return sendTelegramCall(api, destination, call, logger, undefined, signal);
  for (let tries = 0; ; ) {
    const source = tries < MAX_FILE_ID_TRIES ? await photos.source(key) : null;
    if (source?.kind === 'file-id') {
      tries += 1;
      try {
        return await sendTelegramCall(api, destination, call, logger, source.fileId, signal);
      } catch (error) {
        if (!isPhotoRefusal(error)) throw error;
        photos.forget(key, source.fileId);
        logger.warn(
          { event: 'telegram-file-id-refused', photo: call.photo.name, reason: error instanceof Error ? error.message : String(error) },
          'Telegram refused a remembered file_id; uploading the picture again',
        );
        continue;
      }
    }
    let fileId: string | null = null;
    try {
      const message = await sendTelegramCall(api, destination, call, logger, undefined, signal);
      fileId = largestFileId(message);
      return message;
    } finally {
      if (source) source.settle(fileId);
      else if (fileId !== null) photos.remember(key, fileId);
    }
  }
}

/** The file_id of the largest size Telegram keeps of a sent photo, or null when there is none. */
function largestFileId(message: Message): string | null {
  let best: { id: string; area: number; bytes: number } | null = null;
  for (const size of message.photo ?? []) {
    const area = size.width * size.height;
    const bytes = size.file_size ?? 0;
    if (!best || area > best.area || (area === best.area && bytes > best.bytes)) best = { id: size.file_id, area, bytes };
  }
  return best?.id ?? null;
}
