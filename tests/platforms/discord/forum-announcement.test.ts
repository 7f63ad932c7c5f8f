import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DiscordAPIError, REST, Routes } from 'discord.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../../src/commands/types.ts';
import { silentLogger } from '../../../src/log.ts';
import { DiscordPlatform } from '../../../src/platforms/discord/discord-platform.ts';
import { DEFAULT_PRESENTATION, type Destination, type DigestPresentation, type SentPart } from '../../../src/platforms/platform.ts';
import { startFakeDiscord, type FakeDiscord } from '../../helpers/fake-discord.ts';
import { sendError } from '../../helpers/send-error.ts';
import type { DigestImage } from '../../../src/report/digest-types.ts';
import { IS_COMPONENTS_V2 } from '../../../src/render/payload-types.ts';
import { makeDigest, oversizedPoints } from '../../render/digest-factory.ts';

/**
 * Where a digest goes by the channel's kind, through discord.js against the fake Discord: a forum
 * or media channel gets a post (tagged as asked), an announcement channel gets its messages
 * published, and the part ledger's marks keep a resume from opening a second post or publishing
 * twice.
 */

const GUILD = '710000000000000001';
const FORUM = '710000000000000010';
const MEDIA = '710000000000000011';
const NEWS = '710000000000000012';
const TEXT = '710000000000000013';
const TAG_DAILY = '710000000000000100';
const TAG_WEEKLY = '710000000000000101';

const noRouter: CommandRouter = { definitions: [], handle: async () => ({ kind: 'text', text: 'unused' }), autocompleteDates: () => [] };
const at = (chatId: string, threadId: string | null = null): Destination => ({ platform: 'discord', chatId, threadId });
const presenting = (changes: Partial<DigestPresentation>): DigestPresentation => ({ ...DEFAULT_PRESENTATION, ...changes });

let fake: FakeDiscord;
let dir: string;
let image: DigestImage;

function newPlatform(): DiscordPlatform {
  return new DiscordPlatform({ layout: 'embeds', token: fake.token, apiBase: fake.apiBase, router: noRouter, logger: silentLogger(), owners: [], mode: 'rest-only' });
}

/** A ledger in memory: what onPartAccepted recorded, handed back as sentParts on the next attempt. */
function memoryLedger(): { parts: SentPart[]; record: (part: SentPart) => void } {
  const parts: SentPart[] = [];
  return { parts, record: (part) => void parts.push(part) };
}

const platforms: DiscordPlatform[] = [];
function platformForTest(): DiscordPlatform {
  const p = newPlatform();
  platforms.push(p);
  return p;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'discord-forum-'));
  const name = 'wordcloud_twitter_ai_20260103_20260103.png';
  const bytes = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  writeFileSync(path.join(dir, name), bytes);
  image = { path: path.join(dir, name), name, bytes: bytes.length, generated: false };
  fake = await startFakeDiscord({ enforceRateLimits: false });
  fake.addGuild({
    id: GUILD,
    name: 'AI 读书会',
    channels: [
      { id: FORUM, type: 15, name: 'digests', availableTags: [{ id: TAG_DAILY, name: 'daily' }, { id: TAG_WEEKLY, name: 'weekly' }] },
      { id: MEDIA, type: 16, name: 'gallery', availableTags: [] },
      { id: NEWS, type: 5, name: 'announcements' },
      { id: TEXT, type: 0, name: 'ai-news' },
    ],
  });
});
afterAll(async () => {
  await Promise.all(platforms.map((p) => p.stop()));
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.setPublishLimit(10, 60 * 60 * 1000);
});

const postsIn = (forumId: string) => fake.forumPosts.filter((p) => p.forumId === forumId);
const messagesIn = (channelId: string) => fake.messages.filter((m) => m.channelId === channelId);

describe('forum and media channels', () => {
  it('a digest opens one post named by its title, the word cloud uploaded with the starter message, the rest inside the post', async () => {
    const platform = platformForTest();
    const digest = makeDigest({ points: oversizedPoints(12, 900), image });
    const result = await platform.sendDigest(at(FORUM), digest, 'forum:1');

    const [post] = postsIn(FORUM);
    expect(postsIn(FORUM)).toHaveLength(1);
    expect(post!.name).toBe(digest.title);
    expect(post!.appliedTags).toEqual([]);
    // The post's thread id is its starter message's id: the first id names both.
    expect(result.messageIds[0]).toBe(post!.threadId);
    expect(result.messageIds.length).toBeGreaterThan(1);
    expect(messagesIn(post!.threadId).map((m) => m.id)).toEqual(result.messageIds);
    const starter = messagesIn(post!.threadId)[0]!;
    expect(starter.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect((starter.body['embeds'] as { image?: { url: string } }[])[0]!.image).toEqual({ url: 'attachment://wordcloud-2026-01-03.png' });
    // Nothing was posted as a plain message into the forum itself (Discord refuses it: 50008).
    expect(messagesIn(FORUM)).toHaveLength(0);
  });

  it('a Components V2 digest opens its post with the V2 message as the starter, flag and gallery kept', async () => {
    const platform = platformForTest();
    const digest = makeDigest({ image });
    const result = await platform.sendDigest(at(FORUM), digest, 'forum:v2', { presentation: presenting({ layout: 'components' }) });
    const post = postsIn(FORUM).at(-1)!;
    expect(result.messageIds).toEqual([post.threadId]);
    const starter = messagesIn(post.threadId)[0]!;
    expect(starter.body['flags']).toBe(IS_COMPONENTS_V2);
    expect(starter.body['embeds']).toBeUndefined();
    expect(starter.files.map((f) => f.name)).toEqual(['wordcloud-2026-01-03.png']);
    expect(JSON.stringify(starter.body)).toContain('attachment://wordcloud-2026-01-03.png');
  });

  it("applies the subscription's forum tag; a media channel takes posts too", async () => {
    const platform = platformForTest();
    await platform.sendDigest(at(FORUM), makeDigest(), 'forum:tagged', { presentation: presenting({ forumTagId: TAG_WEEKLY }) });
    expect(postsIn(FORUM).at(-1)!.appliedTags).toEqual([TAG_WEEKLY]);

    const result = await platform.sendDigest(at(MEDIA), makeDigest(), 'media:1');
    expect(postsIn(MEDIA).map((p) => p.threadId)).toEqual(result.messageIds);
  });

  it('a tag the forum no longer has is refused by Discord, and says so', async () => {
    const error = await sendError(platformForTest().sendDigest(at(FORUM), makeDigest(), 'forum:gone-tag', { presentation: presenting({ forumTagId: '710000000000000999' }) }));
    expect(error.kind).toBe('rejected');
    expect(error.details.platformCode).toBe(50035);
  });

  it('a post whose answer was lost is adopted by the next attempt, from the ledger\'s mark: no second post', async () => {
    const platform = platformForTest();
    const digest = makeDigest({ points: oversizedPoints(12, 900), title: 'Twitter AI 报告 · 2026-01-09' });
    const ledger = memoryLedger();
    const before = postsIn(FORUM).length;
    // Discord opens the post; the answer never reaches the bot.
    fake.failNext('POST /channels/:id/threads', { channelId: FORUM, status: 502, loseAnswer: true });
    const error = await sendError(platform.sendDigest(at(FORUM), digest, 'forum:lost', { sentParts: [], onPartAccepted: ledger.record }));
    expect(error.kind).toBe('transient');
    expect(postsIn(FORUM).length).toBe(before + 1);
    // Only the mark reached the ledger: no message is known.
    expect(ledger.parts.map((p) => p.plan)).toEqual(['forum-opening']);

    // A new process: nothing in memory but the ledger.
    const again = platformForTest();
    const result = await again.sendDigest(at(FORUM), digest, 'forum:lost', { sentParts: [...ledger.parts], onPartAccepted: ledger.record });
    expect(postsIn(FORUM).length).toBe(before + 1);
    const post = postsIn(FORUM).at(-1)!;
    expect(result.messageIds[0]).toBe(post.threadId);
    expect(messagesIn(post.threadId).map((m) => m.id)).toEqual(result.messageIds);
    expect(ledger.parts.filter((p) => p.plan === '').map((p) => p.messageId)).toEqual(result.messageIds);
  });

  it('without a mark in the ledger a post of the same name is a new post (a repost is one)', async () => {
    const platform = platformForTest();
    const digest = makeDigest({ title: 'Twitter AI 报告 · 2026-01-10' });
    await platform.sendDigest(at(FORUM), digest, 'forum:first', { sentParts: [] });
    await platform.sendDigest(at(FORUM), digest, 'forum:repost', { sentParts: [] });
    expect(postsIn(FORUM).filter((p) => p.name === digest.title)).toHaveLength(2);
  });

  it('a digest for a post already open (a thread) goes into it as messages', async () => {
    const platform = platformForTest();
    const opened = await platform.sendDigest(at(FORUM), makeDigest(), 'forum:open');
    const posts = postsIn(FORUM).length;
    const result = await platform.sendDigest(at(FORUM, opened.messageIds[0]!), makeDigest(), 'forum:into-thread');
    expect(postsIn(FORUM).length).toBe(posts);
    expect(messagesIn(opened.messageIds[0]!).map((m) => m.id)).toContain(result.messageIds[0]);
  });
});

describe('corrections in place', () => {
  it("edits a forum post's messages inside the post and a published digest's messages; the ledger's marks are not messages", async () => {
    const platform = platformForTest();
    const digest = makeDigest({ points: oversizedPoints(12, 900), title: 'Twitter AI 报告 · 2026-01-13' });
    const corrected = { ...digest, headline: `${digest.headline}（更正）` };
    for (const channel of [FORUM, NEWS]) {
      const ledger = memoryLedger();
      const sent = await platform.sendDigest(at(channel), digest, `correct:${channel}`, { sentParts: [], onPartAccepted: ledger.record });
      expect(ledger.parts.length).toBeGreaterThan(sent.messageIds.length);
      const before = fake.messageEdits.length;
      const result = await platform.editDigest!(at(channel), corrected, ledger.parts);
      expect(result).toEqual({ status: 'edited', edited: sent.messageIds.length, unchanged: 0 });
      const where = channel === FORUM ? sent.messageIds[0]! : NEWS;
      expect(fake.messageEdits.slice(before).map((e) => [e.channelId, e.id])).toEqual(sent.messageIds.map((id) => [where, id]));
    }
  });
});

describe('the fake refuses what Discord refuses', () => {
  it('a plain message into a forum (50008), a post in a text channel and a crosspost outside an announcement channel (50024)', async () => {
    const rest = new REST({ api: fake.apiBase, retries: 0 }).setToken(fake.token);
    const codeOf = (request: Promise<unknown>) => request.then(() => null, (error: unknown) => (error instanceof DiscordAPIError ? error.code : error));
    expect(await codeOf(rest.post(Routes.channelMessages(FORUM), { body: { content: 'hello' } }))).toBe(50008);
    expect(await codeOf(rest.post(Routes.threads(TEXT), { body: { name: 'x', message: { content: 'hello' } } }))).toBe(50024);
    const [message] = (await platformForTest().sendDigest(at(TEXT), makeDigest(), 'text:fidelity')).messageIds;
    expect(await codeOf(rest.post(Routes.channelMessageCrosspost(TEXT, message!)))).toBe(50024);
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  });
});

describe('announcement channels', () => {
  it('publishes every message of the digest, in order, once, and marks each in the ledger', async () => {
    const ledger = memoryLedger();
    const before = fake.crossposts.length;
    const result = await platformForTest().sendDigest(at(NEWS), makeDigest({ points: oversizedPoints(12, 900) }), 'news:1', { sentParts: [], onPartAccepted: ledger.record });
    expect(result.messageIds.length).toBeGreaterThan(1);
    expect(fake.crossposts.slice(before).map((c) => [c.channelId, c.messageId])).toEqual(result.messageIds.map((id) => [NEWS, id]));
    expect(ledger.parts.filter((p) => p.plan === 'published').map((p) => p.messageId)).toEqual(result.messageIds);
  });

  it('a Components V2 digest is published like any other', async () => {
    const before = fake.crossposts.length;
    const result = await platformForTest().sendDigest(at(NEWS), makeDigest(), 'news:v2', { presentation: presenting({ layout: 'components' }) });
    expect(result.messageIds).toHaveLength(1);
    expect(fake.crossposts.slice(before).map((c) => c.messageId)).toEqual(result.messageIds);
  });

  it('with publishing turned off, posts without publishing; a text channel is never published', async () => {
    const platform = platformForTest();
    const before = fake.crossposts.length;
    await platform.sendDigest(at(NEWS), makeDigest(), 'news:quiet', { presentation: presenting({ publish: false }) });
    await platform.sendDigest(at(TEXT), makeDigest(), 'text:1');
    expect(fake.crossposts.length).toBe(before);
  });

  it("Discord's publish limit ends the attempt rate-limited with its retry_after; the next attempt publishes what is left and posts nothing again", async () => {
    const platform = platformForTest();
    const digest = makeDigest({ points: oversizedPoints(12, 900), title: 'Twitter AI 报告 · 2026-01-11' });
    const ledger = memoryLedger();
    const published = () => fake.crossposts.filter((c) => c.channelId === NEWS).length;
    const posted = messagesIn(NEWS).length;
    // Room for exactly one more publish in this channel for a minute (Discord: about 10 an hour).
    fake.setPublishLimit(published() + 1, 60_000);
    const error = await sendError(platform.sendDigest(at(NEWS), digest, 'news:limited', { sentParts: [], onPartAccepted: ledger.record }));
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThan(30_000);
    const messages = ledger.parts.filter((p) => p.plan === '');
    expect(messages.length).toBeGreaterThan(1);
    expect(ledger.parts.filter((p) => p.plan === 'published').map((p) => p.messageId)).toEqual([messages[0]!.messageId]);

    // Later (here: the limit lifted), a new process resumes from the ledger.
    fake.setPublishLimit(100, 60_000);
    const result = await platformForTest().sendDigest(at(NEWS), digest, 'news:limited', { sentParts: [...ledger.parts], onPartAccepted: ledger.record });
    expect(messagesIn(NEWS).length).toBe(posted + messages.length);
    expect(result.messageIds).toEqual(messages.map((p) => p.messageId));
    const crossposted = fake.crossposts.map((c) => c.messageId);
    for (const id of result.messageIds) expect(crossposted.filter((c) => c === id)).toHaveLength(1);
  });

  it('a message Discord already published (its answer lost) counts as published', async () => {
    const ledger = memoryLedger();
    fake.failNext('POST /channels/:id/messages/:message/crosspost', { channelId: NEWS, status: 502, loseAnswer: true, times: 3 });
    const platform = platformForTest();
    const digest = makeDigest({ title: 'Twitter AI 报告 · 2026-01-12' });
    const error = await sendError(platform.sendDigest(at(NEWS), digest, 'news:lost', { sentParts: [], onPartAccepted: ledger.record }));
    expect(error.kind).toBe('transient');
    const result = await platform.sendDigest(at(NEWS), digest, 'news:lost', { sentParts: [...ledger.parts], onPartAccepted: ledger.record });
    expect(fake.crossposts.filter((c) => c.messageId === result.messageIds[0])).toHaveLength(1);
    expect(ledger.parts.filter((p) => p.plan === 'published').map((p) => p.messageId)).toEqual(result.messageIds);
  });
});
