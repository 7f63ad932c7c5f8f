import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CommandRouter } from '../../src/commands/types.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { silentLogger } from '../../src/log.ts';
import { DiscordPlatform } from '../../src/platforms/discord/discord-platform.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeDiscord, type FakeDiscord } from '../helpers/fake-discord.ts';
import { makeDigest, oversizedPoints } from '../render/digest-factory.ts';

/**
 * A fan-out to forum and announcement channels through the Deliverer, its SQLite ledger and the
 * real Discord adapter against the fake: a process that fails in the middle (Discord opened a
 * post, the bot never heard back) leaves a mark in the ledger, and the next process, with nothing
 * in memory, adopts that post instead of opening a second one. A delivery to an announcement
 * channel is complete only once published.
 */

const SLUG = 'twitter_ai_20260103_20260103';
const GUILD = '720000000000000001';
const FORUMS = ['720000000000000010', '720000000000000011', '720000000000000012'];
const NEWS = '720000000000000020';
const to = (chatId: string): Destination => ({ platform: 'discord', chatId, threadId: null });
const noRouter: CommandRouter = { definitions: [], handle: async () => ({ kind: 'text', text: 'unused' }), autocompleteDates: () => [] };

let fake: FakeDiscord;
let store: SqliteStore;
const started: DiscordPlatform[] = [];

/** One bot process: a fresh adapter (nothing in memory) and Deliverer over the shared ledger. */
function botProcess(maxAttempts: number): Deliverer {
  const discord = new DiscordPlatform({ layout: 'embeds', token: fake.token, apiBase: fake.apiBase, router: noRouter, logger: silentLogger(), owners: [], mode: 'rest-only' });
  started.push(discord);
  return new Deliverer({
    store,
    platforms: { discord },
    policy: { maxAttempts, backoffBaseMs: 1, backoffCapMs: 2 },
    sleep: async () => undefined,
    maxRateLimitWaitMs: 1000,
  });
}

beforeAll(async () => {
  fake = await startFakeDiscord({ enforceRateLimits: false });
  fake.addGuild({
    id: GUILD,
    name: 'AI 读书会',
    channels: [...FORUMS.map((id, i) => ({ id, type: 15 as const, name: `digests-${i}` })), { id: NEWS, type: 5, name: 'announcements' }],
  });
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await fake.close();
});
beforeEach(async () => {
  store = await SqliteStore.open(':memory:');
  for (const id of [...FORUMS, NEWS]) await store.subscribe({ ...to(id), subscribedBy: 'cli' });
});

describe('a forum fan-out interrupted in the middle', () => {
  it('opens no second post: the next process adopts the post Discord opened and completes it', async () => {
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    const [, middle] = FORUMS as [string, string, string];
    // Discord opens the middle forum's post; its answer is lost, and this process gives up on it.
    fake.failNext('POST /channels/:id/threads', { channelId: middle, status: 502, loseAnswer: true });
    const first = await botProcess(1).deliver({ slug: SLUG, digest, destinations: FORUMS.map(to), kind: 'scheduled' });
    expect(first.results.map((r) => r.outcome)).toEqual(['delivered', 'failed', 'delivered']);
    const row = (await store.getDelivery(SLUG, to(middle), 'scheduled'))!;
    expect((await store.listDeliveryParts(row.id)).map((p) => p.plan)).toEqual(['forum-opening']);

    const second = await botProcess(3).deliver({ slug: SLUG, digest, destinations: FORUMS.map(to), kind: 'scheduled' });
    expect(second.results.map((r) => r.outcome)).toEqual(['skipped', 'delivered', 'skipped']);
    for (const forum of FORUMS) expect(fake.forumPosts.filter((p) => p.forumId === forum)).toHaveLength(1);
    const post = fake.forumPosts.find((p) => p.forumId === middle)!;
    const delivered = (await store.getDelivery(SLUG, to(middle), 'scheduled'))!;
    expect(delivered.status).toBe('delivered');
    expect(delivered.messageIds[0]).toBe(post.threadId);
    expect(fake.messages.filter((m) => m.channelId === post.threadId).map((m) => m.id)).toEqual(delivered.messageIds);
  });
});

describe('an announcement channel in a fan-out', () => {
  it('is delivered only once published: a publish limit leaves it failed with its messages recorded, the next run publishes and posts nothing again', async () => {
    const digest = makeDigest({ points: oversizedPoints(12, 900) });
    fake.setPublishLimit(1, 60_000);
    const first = await botProcess(3).deliver({ slug: SLUG, digest, destinations: [to(NEWS)], kind: 'scheduled' });
    expect(first.results[0]!.outcome).toBe('failed');
    expect(first.results[0]!.reason).toMatch(/rate limited/);
    const posted = fake.messages.filter((m) => m.channelId === NEWS).length;
    expect(posted).toBeGreaterThan(1);

    fake.setPublishLimit(100, 60_000);
    const second = await botProcess(3).deliver({ slug: SLUG, digest, destinations: [to(NEWS)], kind: 'scheduled' });
    expect(second.results[0]!.outcome).toBe('delivered');
    expect(fake.messages.filter((m) => m.channelId === NEWS)).toHaveLength(posted);
    const row = (await store.getDelivery(SLUG, to(NEWS), 'scheduled'))!;
    expect(fake.crossposts.map((c) => c.messageId)).toEqual(row.messageIds);
  });
});
