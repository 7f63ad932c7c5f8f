import { stat, readFile } from 'node:fs/promises';
import type { RawFile } from 'discord.js';
import type { OutgoingFile } from '../../render/payload-types.ts';
import { LruCache } from '../../report/lru-cache.ts';

/**
 * The bytes of recently uploaded files, per file version (path, size, mtime): a fan-out to a
 * thousand channels uploads the same word cloud a thousand times, and reading it from disk for
 * each message held the event loop (a 300 KB read and copy per send). A redrawn picture is a new
 * version and is read again. A few pictures, the newest reports', are all a bot uploads at once.
 */
const recent = new LruCache<string, Buffer>(8);

async function bytesOf(file: OutgoingFile): Promise<Buffer> {
  const { size, mtimeMs } = await stat(file.path);
  const key = `${file.path}\u0000${size}\u0000${mtimeMs}`;
  const cached = recent.get(key);
  if (cached) return cached;
  const data = await readFile(file.path);
  recent.set(key, data);
  return data;
}

/** A message's files as discord.js uploads them; rejects when one cannot be read (gone from disk). */
export function uploadsOf(message: { files: readonly OutgoingFile[] }): Promise<RawFile[]> {
  return Promise.all(message.files.map(async (file) => ({ name: file.name, data: await bytesOf(file) })));
}
