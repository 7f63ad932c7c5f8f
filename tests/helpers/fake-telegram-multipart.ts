/**
 * A small multipart/form-data parser for the fake Bot API server. grammY writes its parts as
 * `content-disposition:form-data;name="x";filename=a b.jpg` (no spaces, unquoted file name), which
 * Telegram accepts but undici's strict `Request.formData()` refuses, so we parse by hand.
 */
export interface MultipartFile {
  name: string;
  bytes: number;
  data: Buffer;
}

export interface MultipartBody {
  fields: Map<string, string>;
  files: Map<string, MultipartFile>;
}

/** Parses `body` using the boundary from the request's content-type header. */
export function parseMultipart(contentType: string, body: Buffer): MultipartBody {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new Error('multipart body without boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  const files = new Map<string, MultipartFile>();

  let at = body.indexOf(delimiter);
  while (at >= 0) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new Error('multipart body without closing delimiter');
    // The part ends with the CRLF that precedes the next delimiter.
    const part = body.subarray(start, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) throw new Error('multipart part without headers');
    const headers = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const disposition = /content-disposition:\s*form-data\s*;(.*)/i.exec(headers)?.[1] ?? '';
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    const filename = /filename=(?:"([^"]*)"|([^;\r\n]*))/i.exec(disposition);
    if (filename) {
      files.set(name, { name: (filename[1] ?? filename[2] ?? '').trim(), bytes: content.length, data: content });
    } else {
      fields.set(name, content.toString('utf8'));
    }
    at = next;
  }
  return { fields, files };
}
