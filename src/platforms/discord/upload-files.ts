import type { RawFile } from 'discord.js';
import type { OutgoingFile } from '../../render/payload-types.ts';
import { fileBytes } from '../file-bytes.ts';

/** A message's files as discord.js uploads them (read once per version); rejects when one cannot be read (gone from disk). */
export function uploadsOf(message: { files: readonly OutgoingFile[] }): Promise<RawFile[]> {
  return Promise.all(message.files.map(async (file) => ({ name: file.name, data: await fileBytes(file.path) })));
}
