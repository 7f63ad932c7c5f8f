import { beforeEach, describe, expect, it } from 'vitest';
import { ReportHeldError } from '../../src/errors.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { DISCORD_LIMITS } from '../../src/render/limits.ts';
import { contextFor, createHarness, run, textOf, type Harness } from './command-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

const group: Destination = { platform: 'telegram', chatId: '-1001234', threadId: null };

describe('/subscribe', () => {
  it('a group admin subscribes the group: stored, active, with who and where', async () => {
    const context = contextFor({ manages: true });
    const text = textOf(await run(h, 'subscribe', {}, context));
    expect(text).toContain('已订阅');
    expect(context.canManageAsked).toEqual([group]);
    expect(await h.store.getSubscription(group)).toMatchObject({
      active: true,
      subscribedBy: 'telegram:42',
      title: 'AI 讨论组',
      timeOfDay: null,
      timezone: null,
    });
  });

  it('refuses a member who may not manage the chat, says why, and stores nothing', async () => {
    const reply = await run(h, 'subscribe', {}, contextFor({ manages: false }));
    expect(textOf(reply)).toContain('管理员');
    expect(reply).toMatchObject({ ephemeral: true });
    expect(await h.store.listSubscriptions()).toEqual([]);
    expect(h.logs.at(-1)).toMatchObject({ command: 'subscribe', outcome: 'refused' });
  });

  it('names the Discord permissions when refusing on Discord', async () => {
    const context = contextFor({
      platform: 'discord',
      destination: { platform: 'discord', chatId: '555', threadId: null },
      guildId: '900',
      locale: 'en',
    });
    expect(textOf(await run(h, 'subscribe', {}, context))).toContain('Manage Server or Manage Channels');
  });

  it('lets a user subscribe their own private chat without asking for admin rights', async () => {
    const dm: Destination = { platform: 'telegram', chatId: '42', threadId: null };
    const context = contextFor({ destination: dm, isPrivateChat: true, manages: false });
    expect(textOf(await run(h, 'subscribe', {}, context))).toContain('已订阅');
    expect(context.canManageAsked).toEqual([]);
    expect((await h.store.getSubscription(dm))?.active).toBe(true);
  });

  it('records a forum topic with its thread id, separate from the group itself', async () => {
    const topic: Destination = { platform: 'telegram', chatId: '-1001234', threadId: '77' };
    await run(h, 'subscribe', {}, contextFor({ destination: topic, manages: true }));
    expect((await h.store.getSubscription(topic))?.active).toBe(true);
    expect(await h.store.getSubscription(group)).toBeNull();
  });

  it('subscribes a channel picked with the channel option, checking the right there', async () => {
    const here: Destination = { platform: 'discord', chatId: '555', threadId: null };
    const other: Destination = { platform: 'discord', chatId: '666', threadId: null };
    const context = contextFor({ platform: 'discord', destination: here, guildId: '900', manages: true });
    expect(textOf(await run(h, 'subscribe', { channel: '666' }, context))).toContain('该频道');
    expect(context.canManageAsked).toEqual([other]);
    expect(await h.store.getSubscription(other)).toMatchObject({ active: true, guildId: '900', title: null });
    expect(await h.store.getSubscription(here)).toBeNull();
  });

  it('a private chat does not grant the right to subscribe another channel', async () => {
    const dm: Destination = { platform: 'discord', chatId: '1', threadId: null };
    const context = contextFor({ platform: 'discord', destination: dm, isPrivateChat: true, manages: false });
    await run(h, 'subscribe', { channel: '666' }, context);
    expect(context.canManageAsked).toEqual([{ platform: 'discord', chatId: '666', threadId: null }]);
    expect(await h.store.listSubscriptions()).toEqual([]);
  });

  it('says so when already subscribed, and keeps the original subscriber', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    const again = textOf(await run(h, 'subscribe', {}, contextFor({ manages: true, userId: '43' })));
    expect(again).toContain('已经订阅');
    expect((await h.store.getSubscription(group))?.subscribedBy).toBe('telegram:42');
    expect(await h.store.listSubscriptions()).toHaveLength(1);
  });

  it('stores a time and timezone and confirms them', async () => {
    const text = textOf(await run(h, 'subscribe', { time: '08:30', tz: 'Europe/Berlin' }, contextFor({ manages: true })));
    expect(text).toContain('08:30');
    expect(text).toContain('Europe/Berlin');
    expect(await h.store.getSubscription(group)).toMatchObject({ timeOfDay: '08:30', timezone: 'Europe/Berlin' });
  });

  it('updates the time of an existing subscription and says it was already subscribed', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    const text = textOf(await run(h, 'subscribe', { time: '7:05' }, contextFor({ manages: true, locale: 'en' })));
    expect(text).toContain('Already subscribed');
    expect(text).toContain('07:05 (Asia/Shanghai)');
    expect(await h.store.getSubscription(group)).toMatchObject({ timeOfDay: '07:05', timezone: 'Asia/Shanghai' });
  });

  it('keeps an existing time when subscribing again without one', async () => {
    await run(h, 'subscribe', { time: '21:00', tz: 'UTC' }, contextFor({ manages: true }));
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    expect(await h.store.getSubscription(group)).toMatchObject({ timeOfDay: '21:00', timezone: 'UTC' });
  });

  it('canonicalises the timezone name', async () => {
    await run(h, 'subscribe', { time: '00:00', tz: 'europe/berlin' }, contextFor({ manages: true }));
    expect((await h.store.getSubscription(group))?.timezone).toBe('Europe/Berlin');
  });

  it.each([
    [{ time: '24:00' }, '24:00', 'time:08:30'],
    [{ time: '12:60' }, '12:60', 'time:08:30'],
    [{ time: '8.30' }, '8.30', 'time:08:30'],
    [{ time: 'noon' }, 'noon', 'time:08:30'],
    [{ time: '08:30', tz: 'Mars/Olympus' }, 'Mars/Olympus', 'tz:Asia/Shanghai'],
    [{ time: '08:30', tz: 'CEST+2' }, 'CEST+2', 'tz:Asia/Shanghai'],
    [{ tz: 'Europe/Berlin' }, 'tz:Europe/Berlin', 'time:08:30'],
  ])('explains %j and stores nothing', async (args, quoted, example) => {
    const reply = await run(h, 'subscribe', args, contextFor({ manages: true }));
    const text = textOf(reply);
    expect(text).toContain(quoted);
    expect(text).toContain(example);
    expect(reply).toMatchObject({ ephemeral: true });
    expect(await h.store.listSubscriptions()).toEqual([]);
    expect(h.logs.at(-1)).toMatchObject({ outcome: 'invalid-input' });
  });

  it.each([['00:00'], ['23:59'], ['9:05']])('accepts %s', async (time) => {
    await run(h, 'subscribe', { time }, contextFor({ manages: true }));
    expect((await h.store.getSubscription(group))?.timeOfDay).toMatch(/^\d{2}:\d{2}$/);
  });
});

describe('/unsubscribe', () => {
  it('a manager unsubscribes: the subscription is kept inactive with who did it', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    expect(textOf(await run(h, 'unsubscribe', {}, contextFor({ manages: true, userId: '7' })))).toContain('已取消订阅');
    expect(await h.store.getSubscription(group)).toMatchObject({ active: false, reason: 'unsubscribed by telegram:7' });
  });

  it('says so when there is nothing to unsubscribe', async () => {
    expect(textOf(await run(h, 'unsubscribe', {}, contextFor({ manages: true, locale: 'en' })))).toContain(
      'no subscription here',
    );
  });

  it('refuses a non-manager and leaves the subscription active', async () => {
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    expect(textOf(await run(h, 'unsubscribe', {}, contextFor({ manages: false })))).toContain('管理员');
    expect((await h.store.getSubscription(group))?.active).toBe(true);
  });

  it('only touches the forum topic it was issued in', async () => {
    const topic: Destination = { ...group, threadId: '9' };
    await run(h, 'subscribe', {}, contextFor({ manages: true }));
    await run(h, 'subscribe', {}, contextFor({ manages: true, destination: topic }));
    await run(h, 'unsubscribe', {}, contextFor({ manages: true, destination: topic }));
    expect((await h.store.getSubscription(topic))?.active).toBe(false);
    expect((await h.store.getSubscription(group))?.active).toBe(true);
  });
});

describe('/repost', () => {
  it('a manager reposts a date here through the reposter, recording who asked', async () => {
    const topic: Destination = { ...group, threadId: '5' };
    const text = textOf(await run(h, 'repost', { date: '20260103' }, contextFor({ manages: true, destination: topic })));
    expect(h.reposter.requests).toEqual([
      { slug: 'twitter_ai_20260103_20260103', target: topic, requestedBy: 'telegram:42' },
    ]);
    expect(text).toContain('2026-01-03');
  });

  it('reposts the latest report when no date is given, to the chosen channel', async () => {
    const context = contextFor({
      platform: 'discord',
      destination: { platform: 'discord', chatId: '555', threadId: null },
      guildId: '900',
      userId: '1001',
      manages: true,
    });
    await run(h, 'repost', { channel: '666' }, context);
    expect(h.reposter.requests).toEqual([
      {
        slug: 'twitter_ai_20260122_20260122',
        target: { platform: 'discord', chatId: '666', threadId: null },
        requestedBy: 'discord:1001',
      },
    ]);
  });

  it('reports failures, quoting a few and counting the rest', async () => {
    h.reposter.outcome = {
      delivered: 3,
      failed: 7,
      deactivated: 1,
      errors: Array.from({ length: 7 }, (_, i) => `chat ${i}: 400 bad request`),
    };
    const text = textOf(await run(h, 'repost', { all: true }, contextFor({ isOwner: true, locale: 'en' })));
    expect(text).toContain('3 delivered, 7 failed, 1 deactivated');
    expect(text).toContain('chat 4: 400');
    expect(text).not.toContain('chat 5: 400');
    expect(text).toContain('2 more');
  });

  it('says why a report held as incomplete was not posted, and how to send it anyway', async () => {
    h.reposter.repost = async () => {
      throw new ReportHeldError('twitter_ai_20260103_20260103', '2026-01-03', 3, 10);
    };
    const text = textOf(await run(h, 'repost', { date: '20260103' }, contextFor({ manages: true, locale: 'en' })));
    expect(text).toContain('not complete yet (3 of 10 core points)');
    expect(text).toContain('digest post 2026-01-03 --force');
    expect(h.logs.some((l) => l['outcome'] === 'held')).toBe(true);
  });

  it('cuts very long failure lines so the reply stays short', async () => {
    h.reposter.outcome = { delivered: 0, failed: 5, deactivated: 0, errors: Array.from({ length: 5 }, () => 'x'.repeat(5000)) };
    const text = textOf(await run(h, 'repost', {}, contextFor({ manages: true })));
    expect(text.length).toBeLessThan(DISCORD_LIMITS.contentChars);
    expect(text).toContain('…');
  });

  it('refuses a non-manager and does not repost', async () => {
    expect(textOf(await run(h, 'repost', {}, contextFor({ manages: false })))).toContain('管理员');
    expect(h.reposter.requests).toEqual([]);
  });

  it('reposting to every subscription is for owners only, even for a chat admin', async () => {
    const reply = await run(h, 'repost', { all: true }, contextFor({ manages: true, isOwner: false }));
    expect(textOf(reply)).toContain('所有者');
    expect(h.reposter.requests).toEqual([]);
  });

  it('an owner reposts to every subscription', async () => {
    await run(h, 'repost', { all: true, date: '2026-01-02' }, contextFor({ isOwner: true }));
    expect(h.reposter.requests).toEqual([
      { slug: 'twitter_ai_20260102_20260102', target: 'all-subscriptions', requestedBy: 'telegram:42' },
    ]);
  });

  it('explains a bad date or a missing report instead of reposting', async () => {
    expect(textOf(await run(h, 'repost', { date: 'someday' }, contextFor({ manages: true })))).toContain('2026-01-03');
    expect(textOf(await run(h, 'repost', { date: '2026-01-05' }, contextFor({ manages: true })))).toContain('2026-01-22');
    expect(h.reposter.requests).toEqual([]);
  });

  it('ignores `all` on commands that do not declare it', async () => {
    await run(h, 'subscribe', { all: true }, contextFor({ manages: true }));
    expect((await h.store.getSubscription(group))?.active).toBe(true);
  });
});
