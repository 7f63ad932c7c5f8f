import type { IncomingMessage } from 'node:http';
import { parseMultipart } from './fake-telegram-multipart.ts';

/** A file part of a multipart request. */
export interface UploadedFile {
  name: string;
  bytes: number;
  data: Buffer;
}

/** Reads JSON, x-www-form-urlencoded, multipart or query-string parameters like the Bot API does. */
export async function readParams(
  req: IncomingMessage,
): Promise<{ params: Record<string, unknown>; files: Map<string, UploadedFile> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  const setLoose = (key: string, value: string): void => {
    // Form values carry objects as JSON text (reply_markup, scope, link_preview_options …).
    params[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  };
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  for (const [k, v] of query) setLoose(k, v);
  if (body.length === 0) return { params, files };
  if (type.startsWith('application/json')) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) setLoose(k, v);
  } else if (type.startsWith('multipart/form-data')) {
    const parsed = parseMultipart(type, body);
    for (const [k, v] of parsed.fields) setLoose(k, v);
    for (const [k, f] of parsed.files) files.set(k, f);
  }
  return { params, files };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
