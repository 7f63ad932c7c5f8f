import { createHash } from 'node:crypto';
import type { PhotoSize } from 'grammy/types';

/** A picture the fake holds, as an upload left it. */
export interface StoredPhoto {
  /** File name of the upload. */
  name: string;
  /** Size of the upload in bytes. */
  bytes: number;
  /** The sizes Telegram answers with, smallest first (the last one is the original). */
  sizes: PhotoSize[];
}

/** Longest sides of the smaller copies Telegram makes of a photo (it keeps the original too). */
const THUMBNAIL_SIDES = [90, 320, 800];
/** What we assume for a picture whose dimensions we cannot read (not a PNG). */
const DEFAULT_DIMENSIONS = { width: 1280, height: 720 };

/**
 * The fake Bot API's file storage: every photo upload gets a few PhotoSize entries (thumbnails
 * plus the original, like Telegram's), each with a `file_id` that a later sendPhoto may pass as
 * `photo` instead of uploading. `forgetAll()` plays Telegram no longer accepting ids it issued.
 */
export class FakeTelegramFiles {
  private readonly byId = new Map<string, StoredPhoto>();
  private issued = 0;

  /** Stores an upload; returns its sizes as `result.photo` carries them. */
  storeUpload(upload: { name: string; bytes: number; data: Buffer }): PhotoSize[] {
    this.issued += 1;
    const unique = createHash('sha256').update(upload.data).digest('base64url').slice(0, 12);
    const original = readPngDimensions(upload.data) ?? DEFAULT_DIMENSIONS;
    const longest = Math.max(original.width, original.height);
    const dimensions = [
      ...THUMBNAIL_SIDES.filter((side) => side < longest).map((side) => ({
        width: Math.max(1, Math.round((original.width * side) / longest)),
        height: Math.max(1, Math.round((original.height * side) / longest)),
      })),
      original,
    ];
    const sizes = dimensions.map(({ width, height }, index): PhotoSize => ({
      file_id: `AgACAgfake${this.issued}x${index}-${unique}`,
      file_unique_id: `AQAD${unique}${index}`,
      width,
      height,
      file_size: Math.max(1, Math.round((upload.bytes * width * height) / (original.width * original.height))),
    }));
    const stored: StoredPhoto = { name: upload.name, bytes: upload.bytes, sizes };
    for (const size of sizes) this.byId.set(size.file_id, stored);
    return sizes;
  }

  /** The photo a `file_id` this fake issued stands for, or undefined. */
  lookup(fileId: string): StoredPhoto | undefined {
    return this.byId.get(fileId);
  }

  /** Every file_id issued so far stops working (Telegram answers "wrong file identifier"). */
  forgetAll(): void {
    this.byId.clear();
  }
}

/** Width and height from a PNG's IHDR chunk, or null when `data` is not a PNG. */
function readPngDimensions(data: Buffer): { width: number; height: number } | null {
  const signature = '89504e470d0a1a0a';
  if (data.length < 24 || data.subarray(0, 8).toString('hex') !== signature) return null;
  if (data.subarray(12, 16).toString('latin1') !== 'IHDR') return null;
  const width = data.readUInt32BE(16);
  const height = data.readUInt32BE(20);
  return width > 0 && height > 0 ? { width, height } : null;
}
