import { randomBytes } from 'node:crypto';
import type { RawFile, RequestData } from 'discord.js';

/**
 * A request's body with its files as one `multipart/form-data` body in a single buffer, for
 * discord.js's REST client to send as it is (`passThroughBody`): the files as `files[n]` parts,
 * then the JSON body as `payload_json`, as discord.js's own `files` option sends them. Without
 * files, the JSON body as discord.js sends any other (so callers need no branch of their own).
 *
 * Why not that option: it builds a FormData of Blobs that undici then streams part by part
 * through web streams. A fan-out uploads the same word cloud (about 300 KB) to every channel, and
 * streaming those FormData bodies cost the bot's thread about 1.5 s of CPU per thousand channels,
 * in stretches that delayed readers' commands; one buffer is written to the socket in one go. A
 * buffer can also be sent again as it is when discord.js retries after a 429 or a 5xx.
 */
export function multipartRequest(body: unknown, files: readonly RawFile[]): Pick<RequestData, 'body' | 'passThroughBody' | 'headers'> {
  // No files: the JSON body, as discord.js sends it.
  if (files.length === 0) return { body };
  // 24 random bytes: the boundary cannot occur in the parts by chance (RFC 2046 §5.1.1 allows 70 characters).
  const boundary = `----ai-digest-bot-${randomBytes(24).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const [index, file] of files.entries()) {
    const data = partData(file.data);
    const name = file.key ?? `files[${index}]`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(file.name)}"\r\n` +
          `Content-Type: ${file.contentType ?? sniffedType(data)}\r\n\r\n`,
      ),
      data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="payload_json"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(body)}\r\n--${boundary}--\r\n`),
  );
  return {
    body: Buffer.concat(chunks),
    passThroughBody: true,
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  };
}

function partData(data: RawFile['data']): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(String(data));
}

/** A name or file name inside a quoted header parameter, escaped as browsers (and undici) do it. */
function quoted(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/** The image types the bot uploads, from their first bytes (discord.js guesses the same way). */
function sniffedType(data: Buffer): string {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (data.length >= 6 && (data.toString('latin1', 0, 6) === 'GIF87a' || data.toString('latin1', 0, 6) === 'GIF89a')) return 'image/gif';
  if (data.length >= 12 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
