import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { messageNonce } from '../../../src/platforms/discord/send-digest.ts';
import type { Destination } from '../../../src/platforms/platform.ts';
import { DISCORD_LIMITS } from '../../../src/render/limits.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { makeDigest, oversizedPoints } from '../../render/digest-factory.ts';
import { sendError } from '../../helpers/send-error.ts';

const GUILD = '700000000000000001';
const TEXT = '700000000000000010';
const NEWS = '700000000000000011';
const THREAD = '700000000000000012';
const FORBIDDEN = '700000000000000013';
const NO_ACCESS = '700000000000000014';
const BURST = '700000000000000015';
const FLAKY = '700000000000000016';
const DOWN = '700000000000000017';
const LIMITED = '700000000000000018';
const REFUSING = '700000000000000019';
const LONG_LIMIT = '700000000000000020';
const HALFWAY = '700000000000000021';
const ODD_NAME = '700000000000000022';

const noRouter: CommandRouter = {
  definitions: [],
  handle: async () => ({ kind: 'text', text: 'unused' }),
  autocompleteDates: () => [],
};

const at = (chatId: string, threadId: string | null = null): Destination => ({ platform: 'discord', chatId, threadId });

let fake: FakeDiscord;
let platform: DiscordPlatform;
/** Without rate limits, for tests whose retries would otherwise wait out a 5-second channel window. */
let relaxed: FakeDiscord;
let relaxedPlatform: DiscordPlatform;
let dir: string;
let image: DigestImage;

beforeAll(async () => {
  fake = await startFakeDiscord({ enforceRateLimits: true });
  fake.addGuild({
    id: GUILD,
    name: 'AI 读书会',
    channels: [
      { id: TEXT, type: 0, name: 'ai-news' },
      { id: NEWS, type: 5, name: 'announcements' },
      { id: THREAD, type: 11, name: '日报讨论', parentId: TEXT },
      { id: FORBIDDEN, type: 0, name: 'read-only', state: 'forbidden' },
      { id: NO_ACCESS, type: 0, name: 'private', state: 'noAccess' },
      { id: BURST, type: 0, name: 'burst' },
      { id: FLAKY, type: 0, name: 'flaky' },
      { id: DOWN, type: 0, name: 'down' },
      { id: LIMITED, type: 0, name: 'limited' },
      { id: REFUSING, type: 0, name: 'refusing' },
      { id: LONG_LIMIT, type: 0, name: 'long-limit' },
      { id: ODD_NAME, type: 0, name: 'odd-name' },
    ],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'discord-send-'));
  const name = 'wordcloud_twitter_ai_20260103_20260103.png';
  const bytes = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  writeFileSync(path.join(dir, name), bytes);
  image = { path: path.join(dir, name), name, bytes: bytes.length, generated: false };
  platform = new DiscordPlatform({
    layout: 'embeds',
    token: fake.token,
    apiBase: fake.apiBase,
    router: noRouter,
    logger: silentLogger(),
    owners: [],
    mode: 'rest-only',
  });
  await platform.start();
  relaxed = await startFakeDiscord({ enforceRateLimits: false });
  relaxed.addGuild({ id: GUILD, name: 'AI 读书会', channels: [{ id: HALFWAY, type: 0, name: 'halfway' }] });
  relaxedPlatform = new DiscordPlatform({ layout: 'embeds', token: relaxed.token, apiBase: relaxed.apiBase, router: noRouter, logger: silentLogger(), owners: [], mode: 'rest-only' });
});

afterAll(async () => {
  await Promise.all([platform.stop(), relaxedPlatform.stop()]);
  await Promise.all([fake.close(), relaxed.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const sentTo = (channelId: string) => fake.messages.filter((m) => m.channelId === channelId);

describe('DiscordPlatform.sendDigest (rest-only) against the fake Discord', () => {
  it('uploads the word cloud as multipart with a matching attachment:// embed and silenced mentions', async () => {
    const digest = makeDigest({ image, note: '@everyone 注意 <@123>' });
    const result = await platform.sendDigest(at(TEXT), digest, 'delivery:1');

    expect(result.imageDropped).toBe(false);
    const [message] = sentTo(TEXT);
    expect(result.messageIds).toEqual([message!.id]);
    expect(message!.files).toHaveLength(1);
    // Uploaded under a name from Discord's attachment alphabet, made from the digest's date.
    expect(message!.files[0]!.name).toBe('wordcloud-2026-01-03.png');
    expect(message!.files[0]!.bytes).toBe(image.bytes);
    const embeds = message!.body['embeds'] as { title?: string; image?: { url: string } }[];
    expect(embeds[0]!.title).toBe(digest.title);
    expect(embeds[0]!.image).toEqual({ url: 'attachment://wordcloud-2026-01-03.png' });
    expect(message!.body['allowed_mentions']).toEqual({ parse: [] });
    expect(message!.body['enforce_nonce']).toBe(true);
    expect(message!.nonce).toBe(messageNonce('delivery:1', 0));
    expect(message!.nonce!.length).toBeLessThanOrEqual(25);
  });

  it('a word cloud whose file name is not ASCII still shows in the embed: it is uploaded under a Discord-safe name', async () => {
    // Discord rewrites such a name on upload (the fake does too), so referencing it would match no file.
    const odd = path.join(dir, '词云 图 (1).png');
    writeFileSync(odd, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const digest = makeDigest({
      slug: '报告 特别版_20260313',
      dateStart: '2026-03-13',
      dateEnd: '2026-03-13',
      image: { path: odd, name: path.basename(odd), bytes: 16, generated: false },
    });
    const result = await platform.sendDigest(at(ODD_NAME), digest, 'delivery:odd-name');
    expect(result.imageDropped).toBe(false);
    const message = sentTo(ODD_NAME).find((m) => result.messageIds.includes(m.id))!;
    expect(message.files.map((f) => f.name)).toEqual(['wordcloud-2026-03-13.png']);
    const embeds = message.body['embeds'] as { image?: { url: string } }[];
    expect(embeds[0]!.image).toEqual({ url: 'attachment://wordcloud-2026-03-13.png' });
  });

  it('posts an announcement channel digest too, and publishes it', async () => {
    const result = await platform.sendDigest(at(NEWS), makeDigest(), 'delivery:news');
    expect(result.messageIds).toHaveLength(1);
    expect(sentTo(NEWS)).toHaveLength(1);
    expect(fake.crossposts.map((c) => c.messageId)).toContain(result.messageIds[0]);
  });

  it('sending the same key twice posts once and returns the first message ids', async () => {
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    const first = await platform.sendDigest(at(TEXT), digest, 'delivery:twice');
    const before = fake.messages.length;
    const second = await platform.sendDigest(at(TEXT), digest, 'delivery:twice');

    expect(first.messageIds.length).toBeGreaterThan(1);
    expect(second.messageIds).toEqual(first.messageIds);
    expect(fake.messages.length).toBe(before);
  });

  it('a digest cut off halfway is completed by a resend with the same key, without duplicating the first part', async () => {
    const relaxedSent = () => relaxed.messages.filter((m) => m.channelId === HALFWAY);
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    // The first message goes through; the second meets a server that stays down past discord.js's retries.
    relaxed.failNext('POST /channels/:id/messages', { channelId: HALFWAY, status: 500, times: 3, after: 1 });
    const first = relaxedPlatform.sendDigest(at(HALFWAY), digest, 'delivery:halfway');
    const error = await sendError(first);
    expect(error.kind).toBe('transient');
    expect(relaxedSent()).toHaveLength(1);

    const resent = await relaxedPlatform.sendDigest(at(HALFWAY), digest, 'delivery:halfway');
    expect(resent.messageIds[0]).toBe(relaxedSent()[0]!.id);
    expect(relaxedSent().map((m) => m.id)).toEqual(resent.messageIds);
  });

  it('with the ledger\'s parts, posts only the messages not recorded and reports each one as Discord accepts it', async () => {
    const relaxedSent = () => relaxed.messages.filter((m) => m.channelId === HALFWAY);
    const before = relaxedSent().length;
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    const accepted: { index: number; messageId: string }[] = [];
    const all = await relaxedPlatform.sendDigest(at(HALFWAY), digest, 'delivery:ledger', {
      sentParts: [],
      onPartAccepted: async ({ index, messageId }) => {
        // Reported before the next message is posted: the fake holds exactly the parts so far.
        expect(relaxedSent().length - before).toBe(index + 1);
        // A ledger write takes time (a database round trip): the next message waits for it.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(relaxedSent().length - before).toBe(index + 1);
        accepted.push({ index, messageId });
      },
    });
    expect(all.messageIds.length).toBeGreaterThan(1);
    expect(accepted).toEqual(all.messageIds.map((messageId, index) => ({ index, messageId })));

    // A crash after the first message: a new process resumes from the ledger with a new key (a
    // repost run), and the first message is not posted again although its nonce differs.
    const count = relaxedSent().length;
    const resumed = await relaxedPlatform.sendDigest(at(HALFWAY), digest, 'delivery:ledger:other-run', {
      sentParts: [{ index: 0, messageId: all.messageIds[0]!, plan: '' }],
    });
    expect(relaxedSent().length - count).toBe(all.messageIds.length - 1);
    expect(resumed.messageIds[0]).toBe(all.messageIds[0]);
  });

  it('a thread destination posts into the thread, not its parent', async () => {
    const parentBefore = sentTo(TEXT).length;
    const result = await platform.sendDigest(at(TEXT, THREAD), makeDigest(), 'delivery:thread');
    expect(sentTo(THREAD).map((m) => m.id)).toEqual(result.messageIds);
    expect(sentTo(TEXT).length).toBe(parentBefore);
  });

  it('403 Missing Permissions is "gone" with the platform code', async () => {
    const error = await sendError(platform.sendDigest(at(FORBIDDEN), makeDigest(), 'delivery:403'));
    expect(error.kind).toBe('gone');
    expect(error.details.platformCode).toBe(50013);
  });

  it('403 Missing Access is "gone"', async () => {
    const error = await sendError(platform.sendDigest(at(NO_ACCESS), makeDigest(), 'delivery:50001'));
    expect(error.kind).toBe('gone');
    expect(error.details.platformCode).toBe(50001);
  });

  it('an unknown channel is "gone" with 10003', async () => {
    const error = await sendError(platform.sendDigest(at('799999999999999999'), makeDigest(), 'delivery:404'));
    expect(error.kind).toBe('gone');
    expect(error.details.platformCode).toBe(10003);
  });

  it('a short 5xx burst is retried by discord.js and the digest arrives once', async () => {
    fake.failNext('POST /channels/:id/messages', { channelId: FLAKY, status: 502, times: 2 });
    const result = await platform.sendDigest(at(FLAKY), makeDigest(), 'delivery:flaky');
    expect(result.messageIds).toHaveLength(1);
    expect(sentTo(FLAKY)).toHaveLength(1);
  });

  it('5xx past discord.js retries is "transient"', async () => {
    fake.failNext('POST /channels/:id/messages', { channelId: DOWN, status: 503, times: 3 });
    const error = await sendError(platform.sendDigest(at(DOWN), makeDigest(), 'delivery:down'));
    expect(sentTo(DOWN)).toHaveLength(0);
    expect(error.kind).toBe('transient');
  });

  it('an image over the upload limit is dropped and the digest goes out as text', async () => {
    const bigName = 'wordcloud_big.png';
    const bigPath = path.join(dir, bigName);
    writeFileSync(bigPath, Buffer.alloc(DISCORD_LIMITS.attachmentBytes + 1));
    const digest = makeDigest({ image: { path: bigPath, name: bigName, bytes: DISCORD_LIMITS.attachmentBytes + 1, generated: true } });
    const result = await platform.sendDigest(at(NEWS), digest, 'delivery:big-image');

    expect(result.imageDropped).toBe(true);
    const message = fake.messages.find((m) => m.id === result.messageIds[0]);
    expect(message!.files).toEqual([]);
    const embeds = message!.body['embeds'] as { title?: string; image?: unknown }[];
    expect(embeds[0]!.title).toBe(digest.title);
    expect(embeds[0]!.image).toBeUndefined();
    expect(message!.body['attachments']).toBeUndefined();
  });

  it('a 4xx refusal that is not about access (404 Unknown Message) is "rejected"', async () => {
    fake.failNext('POST /channels/:id/messages', { channelId: REFUSING, status: 404, code: 10008 });
    const error = await sendError(platform.sendDigest(at(REFUSING), makeDigest(), 'delivery:rejected'));
    expect(error.kind).toBe('rejected');
    expect(error.details.platformCode).toBe(10008);
  });

  it('a 429 the fake forces is waited out by discord.js and counted', async () => {
    const before = fake.rateLimited;
    fake.failNext('POST /channels/:id/messages', { channelId: LIMITED, status: 429, retryAfter: 0.2 });
    const result = await platform.sendDigest(at(LIMITED), makeDigest(), 'delivery:429');
    expect(result.messageIds).toHaveLength(1);
    expect(fake.rateLimited).toBe(before + 1);
  });

  it('a 429 asking for a long wait is surfaced as "rate-limited" with the wait, not slept through', async () => {
    fake.failNext('POST /channels/:id/messages', { channelId: LONG_LIMIT, status: 429, retryAfter: 120 });
    const error = await sendError(platform.sendDigest(at(LONG_LIMIT), makeDigest(), 'delivery:long-429'));
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThanOrEqual(120_000);
    // The refusal does not poison the channel's queue: the next send goes through.
    const result = await platform.sendDigest(at(LONG_LIMIT), makeDigest(), 'delivery:long-429');
    expect(result.messageIds).toHaveLength(1);
  });

  it('12 digests to one channel follow the 5-per-5-s bucket without a single 429', async () => {
    const before = fake.rateLimited;
    const sends = Array.from({ length: 12 }, (_, i) => platform.sendDigest(at(BURST), makeDigest(), `delivery:burst:${i}`));
    const results = await Promise.all(sends);
    expect(results.flatMap((r) => r.messageIds)).toHaveLength(12);
    expect(sentTo(BURST)).toHaveLength(12);
    expect(fake.rateLimited).toBe(before);
  });

  it('sendNotice posts plain content with mentions silenced', async () => {
    await platform.sendNotice(at(NEWS), '投递失败 @everyone');
    const notice = sentTo(NEWS).at(-1)!;
    expect(notice.body['content']).toBe('投递失败 @everyone');
    expect(notice.body['allowed_mentions']).toEqual({ parse: [] });
  });
});
