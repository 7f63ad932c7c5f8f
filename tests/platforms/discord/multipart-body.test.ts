import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { multipartRequest } from '../../../src/platforms/discord/multipart-body.ts';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0x2d]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);

/** The body as a strict multipart parser reads it (undici's, as the fake Discord and browsers parse it). */
async function parsed(request: ReturnType<typeof multipartRequest>): Promise<FormData> {
  const headers = request.headers as Record<string, string>;
  return new Request('http://127.0.0.1/', { method: 'POST', headers: { 'content-type': headers['Content-Type']! }, body: request.body as Buffer }).formData();
}

describe('multipartRequest', () => {
  it('carries every file byte for byte with its type, and the JSON body as payload_json', async () => {
    const body = { content: '报告 "quoted"\r\n--not-a-boundary', embeds: [{ image: { url: 'attachment://wordcloud.jpg' } }], nonce: 'n1', enforce_nonce: true };
    const request = multipartRequest(body, [
      { name: 'wordcloud.jpg', data: JPEG },
      { name: 'chart.png', data: new Uint8Array(PNG) },
      { name: 'notes.txt', data: 'plain', contentType: 'text/plain' },
    ]);
    expect(request.passThroughBody).toBe(true);
    const form = await parsed(request);
    const jpeg = form.get('files[0]') as File;
    expect(jpeg.name).toBe('wordcloud.jpg');
    expect(jpeg.type).toBe('image/jpeg');
    expect(Buffer.from(await jpeg.arrayBuffer()).equals(JPEG)).toBe(true);
    const png = form.get('files[1]') as File;
    expect(png.type).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).equals(PNG)).toBe(true);
    const text = form.get('files[2]') as File;
    expect(text.type).toBe('text/plain');
    expect(await text.text()).toBe('plain');
    expect(JSON.parse(form.get('payload_json') as string)).toEqual(body);
  });

  it('keeps an image the size of a word cloud intact, whatever bytes it holds, and a file name with quotes and line breaks', async () => {
    // 300 KB of random bytes after a JPEG signature: line breaks and dashes like a boundary's occur in it.
    const image = Buffer.concat([JPEG, randomBytes(300_000)]);
    const form = await parsed(multipartRequest({ content: 'x' }, [{ name: 'a"b\r\nc.jpg', data: image }]));
    const file = form.get('files[0]') as File;
    // Escaped in the header (%22, %0D, %0A) and read back as it was.
    expect(file.name).toBe('a"b\r\nc.jpg');
    expect(Buffer.from(await file.arrayBuffer()).equals(image)).toBe(true);
  });

  it('leaves a body without files to discord.js as JSON', () => {
    expect(multipartRequest({ content: 'x' }, [])).toEqual({ body: { content: 'x' } });
  });

  it('uses a new boundary for each request', () => {
    const first = (multipartRequest({}, [{ name: 'a', data: JPEG }]).headers as Record<string, string>)['Content-Type'];
    const second = (multipartRequest({}, [{ name: 'a', data: JPEG }]).headers as Record<string, string>)['Content-Type'];
    expect(first).toMatch(/^multipart\/form-data; boundary=\S{40,70}$/);
    expect(first).not.toBe(second);
  });
});
