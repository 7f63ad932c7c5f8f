import { utimesSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Destination } from '../../../src/platforms/platform.ts';
import type { SentMessage } from '../../helpers/fake-telegram.ts';
import { sampleDigest, startTelegramHarness, type TelegramHarness } from '../../helpers/fake-telegram-harness.ts';
import { sendError } from '../../helpers/send-error.ts';
import { STAT_FRESH_MS } from '../../../src/platforms/file-bytes.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const CHATS = [-5001, -5002, -5003];
const BLOCKED = 5009;

const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });
const photos = (sent: readonly SentMessage[]) => sent.filter((m) => m.method === 'sendPhoto').map((m) => m.photo!);
const photoStatuses = (h: TelegramHarness) => h.fake.calls.filter((c) => c.method === 'sendPhoto').map((c) => c.status);

/** The word cloud goes up to Telegram once; later sends pass the file_id Telegram gave it. */
describe('TelegramPlatform word cloud reuse', () => {
  let h: TelegramHarness;

  beforeAll(async () => {
    h = await startTelegramHarness();
    for (const id of CHATS) h.fake.addChat({ id, type: 'group', title: `g${id}` });
    h.fake.addChat({ id: BLOCKED, type: 'private', blocked: true });
  });
  afterAll(async () => {
    await h.close();
  });
  afterEach(() => {
    h.fake.resetRecordings();
  });

  it('uploads the picture once for three chats and references its file_id twice', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    for (const id of CHATS) await h.platform.sendDigest(to(id), digest, `k${id}`);
    const sent = photos(h.fake.sent);
    expect(sent.map((p) => p.via)).toEqual(['upload', 'file_id', 'file_id']);
    expect(sent[1]!.fileId).toBe(sent[0]!.fileId);
    expect(sent[2]!.fileId).toBe(sent[0]!.fileId);
    expect(sent.every((p) => p.name === digest.image!.name && p.bytes === 3000)).toBe(true);
    // Every chat still gets the whole digest: the picture, then the points.
    expect(h.fake.sent.map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage', 'sendPhoto', 'sendMessage', 'sendPhoto', 'sendMessage']);
  });

  it('uploads once when the chats are sent to at the same time', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    const results = await Promise.all(CHATS.map((id) => h.platform.sendDigest(to(id), digest, `k${id}`)));
    expect(results.every((r) => !r.imageDropped && r.messageIds.length === 2)).toBe(true);
    expect(photos(h.fake.sent).map((p) => p.via).sort()).toEqual(['file_id', 'file_id', 'upload']);
    expect(photoStatuses(h)).toEqual([200, 200, 200]);
  });

  it('uploads a changed file again, then reuses the new upload', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    const path = digest.image!.path;
    await h.platform.sendDigest(to(CHATS[0]!), digest, 'k1');
    // Redrawn in place: same path and size, new content and modification time.
    writeFileSync(path, Buffer.alloc(3000, 2));
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    // A file's stat answers every send for STAT_FRESH_MS: a redraw is seen once that has passed.
    await sleep(STAT_FRESH_MS + 20);
    await h.platform.sendDigest(to(CHATS[1]!), digest, 'k2');
    await h.platform.sendDigest(to(CHATS[2]!), digest, 'k3');
    const sent = photos(h.fake.sent);
    expect(sent.map((p) => p.via)).toEqual(['upload', 'upload', 'file_id']);
    expect(sent[1]!.fileId).not.toBe(sent[0]!.fileId);
    expect(sent[2]!.fileId).toBe(sent[1]!.fileId);
  });

  it('recovers from a file_id Telegram no longer accepts with one upload in the same send', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    await h.platform.sendDigest(to(CHATS[0]!), digest, 'k1');
    h.fake.forgetFiles();
    const result = await h.platform.sendDigest(to(CHATS[1]!), digest, 'k2');
    expect(result.imageDropped).toBe(false);
    expect(photoStatuses(h)).toEqual([200, 400, 200]);
    const sent = photos(h.fake.sent);
    expect(sent.map((p) => p.via)).toEqual(['upload', 'upload']);
    expect(h.fake.sent.filter((m) => m.chatId === CHATS[1]).map((m) => m.method)).toEqual(['sendPhoto', 'sendMessage']);
    // The fresh upload's file_id is the one remembered now.
    await h.platform.sendDigest(to(CHATS[2]!), digest, 'k3');
    expect(photos(h.fake.sent)[2]).toMatchObject({ via: 'file_id', fileId: sent[1]!.fileId });
  });

  it('still sends the digest as text when the picture itself is refused after a stale file_id', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    await h.platform.sendDigest(to(CHATS[0]!), digest, 'k1');
    h.fake.forgetFiles();
    h.fake.failNext('sendPhoto', { chatId: CHATS[1]!, status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED', times: 2 });
    const result = await h.platform.sendDigest(to(CHATS[1]!), digest, 'k2');
    expect(result.imageDropped).toBe(true);
    expect(h.fake.sent.filter((m) => m.chatId === CHATS[1]).map((m) => m.method)).toEqual(['sendMessage']);
  });

  it('lets the next send upload when the upload others waited for fails with its chat', async () => {
    const digest = sampleDigest({ imageBytes: 3000 });
    const [blocked, ...rest] = await Promise.allSettled([
      h.platform.sendDigest(to(BLOCKED), digest, 'kb'),
      ...CHATS.map((id) => h.platform.sendDigest(to(id), digest, `k${id}`)),
    ]);
    expect(blocked?.status).toBe('rejected');
    expect((await sendError(h.platform.sendDigest(to(BLOCKED), digest, 'kb'))).kind).toBe('gone');
    expect(rest.every((r) => r.status === 'fulfilled' && !r.value.imageDropped)).toBe(true);
    expect(photos(h.fake.sent).map((p) => p.via).sort()).toEqual(['file_id', 'file_id', 'upload']);
  });
});
