import { readFile, stat } from 'node:fs/promises';
import { LruCache } from '../report/lru-cache.ts';

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
  const { size, mtimeMs } = await stat(path);
  const key = `${path}\u0000${size}\u0000${mtimeMs}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const data = await readFile(path);
  recent.set(key, data);
  return data;
}
