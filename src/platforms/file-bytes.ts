import type { Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { LruCache } from '../report/lru-cache.ts';

/**
 * How long a file's stat answers for every send that asks: a fan-out checks its picture (size
 * limit, version for the file_id, bytes) for each of thousands of sends, and at paid broadcast's
 * 1,000 messages a second those stats were a tenth of the bot's thread. A picture redrawn
 * meanwhile is seen within this time.
 */
export const STAT_FRESH_MS = 500;
const stats = new Map<string, { at: number; info: Promise<Stats> }>();

/** The file's stat as of at most STAT_FRESH_MS ago (one stat for all who ask meanwhile); a failure is never kept. */
export function recentStat(path: string): Promise<Stats> {
  const now = Date.now();
  const known = stats.get(path);
  if (known && now - known.at < STAT_FRESH_MS) return known.info;
  // A handful of pictures are current at any time: anything more is old and goes.
  if (stats.size >= 64) stats.clear();
  const info = stat(path);
  stats.set(path, { at: now, info });
  info.catch(() => {
    if (stats.get(path)?.info === info) stats.delete(path);
  });
  return info;
}

/**
 * A file's current version as a key (absolute path, size, mtime): what the upload caches key on,
 * the bytes here and Telegram's file_ids, so a picture redrawn on disk is never taken for the old
 * one by either. Rejects when the file cannot be stat'ed.
 */
export async function fileVersion(path: string): Promise<string> {
  const { size, mtimeMs } = await recentStat(path);
  return `${resolve(path)}|${size}|${mtimeMs}`;
}

/**
 * The bytes of recently uploaded files, per file version (path, size, mtime): a fan-out to a
 * thousand chats uploads the same word cloud until the platform knows it (Discord: every
 * message), and reading it from disk for each send held the event loop (a 300 KB read and copy
 * per send). Handing the HTTP client one buffer also sends the body in one write, where a file
 * stream needed a turn of the (busy) event loop per 64 KB chunk: a reader's /report answered as a
 * fan-out began spent most of its time uploading its picture that way. A redrawn picture is a new
 * version and is read again. A few pictures, the newest reports', are all a bot uploads at once.
 */
const recent = new LruCache<string, Buffer>(8);

/** The file's current bytes, read once per version; rejects when it cannot be read (gone from disk). */
export async function fileBytes(path: string): Promise<Buffer> {
  const key = await fileVersion(path);
  const cached = recent.get(key);
  if (cached) return cached;
  const data = await readFile(path);
  recent.set(key, data);
  return data;
}
