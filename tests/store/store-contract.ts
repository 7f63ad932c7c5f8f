import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import type { Store } from '../../src/store/store.ts';

/** One database the contract runs against. */
export interface StoreBackend {
  /** A fresh, empty, migrated store with this clock (each test gets its own). */
  open(options: { now: () => Date }): Promise<Store>;
  /** A place that outlives a store: `open()` twice sees the same data; `remove()` deletes it. */
  persistent(): Promise<{ open(): Promise<Store>; remove(): Promise<void> }>;
}

/** A clock that moves one minute per reading, so every write gets a distinct, predictable time. */
function steppingClock(start = Date.UTC(2026, 0, 3, 1, 0, 0)) {
  let t = start - 60_000;
  return () => new Date((t += 60_000));
}
const at = (minutes: number) => new Date(Date.UTC(2026, 0, 3, 1, minutes, 0)).toISOString();

const chat: Destination = { platform: 'telegram', chatId: '-1001234567890123', threadId: null };
const topic: Destination = { platform: 'telegram', chatId: '-1001234567890123', threadId: '42' };
const channel: Destination = { platform: 'discord', chatId: '1234567890123456789', threadId: null };

/**
 * The Store contract: the behaviour every implementation (SQLite, PostgreSQL) must show, run by
 * one test file per database.
 */
export function storeContract(backend: StoreBackend): void {
  let store: Store;
  beforeEach(async () => {
    store = await backend.open({ now: steppingClock() });
  });
  afterEach(() => store.close());

  describe('subscriptions', () => {
    it('creates an active subscription with every field, ids kept exactly as text', async () => {
      const sub = await store.subscribe({ ...channel, guildId: '987654321987654321', title: '#ai-news', subscribedBy: 'discord:111' });
      expect(sub).toEqual({
        id: expect.any(Number),
        platform: 'discord',
        chatId: '1234567890123456789',
        threadId: null,
        guildId: '987654321987654321',
        title: '#ai-news',
        subscribedBy: 'discord:111',
        subscribedAt: at(0),
        active: true,
        reason: null,
        timeOfDay: null,
        timezone: null,
        options: { mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null },
      });
      expect(await store.getSubscription(channel)).toEqual(sub);
    });

    it('treats a forum topic as a destination distinct from its chat', async () => {
      await store.subscribe({ ...chat, subscribedBy: 'cli' });
      await store.subscribe({ ...topic, subscribedBy: 'cli' });
      await store.subscribe({ ...chat, subscribedBy: 'cli' }); // no duplicate for the thread-less chat
      expect((await store.listSubscriptions()).map((s) => [s.chatId, s.threadId])).toEqual([
        [chat.chatId, null],
        [chat.chatId, '42'],
      ]);
      expect(await store.unsubscribe(chat, 'unsubscribed by cli')).toBe(true);
      expect((await store.getSubscription(topic))?.active).toBe(true);
    });

    it('re-subscribing an active destination keeps who and when, and updates what was given', async () => {
      await store.subscribe({ ...chat, title: 'Old', timeOfDay: '08:00', timezone: 'Asia/Shanghai', subscribedBy: 'telegram:1' });
      const again = await store.subscribe({ ...chat, title: 'New', subscribedBy: 'telegram:2' });
      expect(again).toMatchObject({
        subscribedBy: 'telegram:1',
        subscribedAt: at(0),
        title: 'New',
        timeOfDay: '08:00',
        timezone: 'Asia/Shanghai',
        active: true,
      });
    });

    it('unsubscribe deactivates with a reason, and returns false when nothing was active', async () => {
      expect(await store.unsubscribe(chat, 'unsubscribed by cli')).toBe(false);
      await store.subscribe({ ...chat, subscribedBy: 'cli' });
      expect(await store.unsubscribe(chat, 'unsubscribed by telegram:5')).toBe(true);
      expect(await store.unsubscribe(chat, 'unsubscribed by telegram:6')).toBe(false);
      expect(await store.getSubscription(chat)).toMatchObject({ active: false, reason: 'unsubscribed by telegram:5' });
    });

    it('reactivates an inactive row as a fresh subscribe: reason cleared, new subscriber and time, title kept', async () => {
      const first = await store.subscribe({ ...chat, title: 'AI 群', timeOfDay: '07:30', timezone: 'UTC', subscribedBy: 'telegram:1' });
      await store.unsubscribe(chat, 'unsubscribed by telegram:1');
      const back = await store.subscribe({ ...chat, subscribedBy: 'cli' });
      expect(back).toEqual({
        ...first,
        subscribedBy: 'cli',
        subscribedAt: at(2),
        title: 'AI 群',
        timeOfDay: null,
        timezone: null,
      });
      expect(await store.listSubscriptions()).toHaveLength(1);
    });

    it('deactivate records the platform refusal and keeps the first reason', async () => {
      await store.subscribe({ ...channel, subscribedBy: 'cli' });
      await store.deactivate(channel, '403 Missing Access (50001)');
      await store.deactivate(channel, '404 Unknown Channel (10003)');
      expect(await store.getSubscription(channel)).toMatchObject({ active: false, reason: '403 Missing Access (50001)' });
      await store.deactivate({ ...channel, chatId: '1' }, 'never subscribed'); // no row: no effect, no error
      expect(await store.listSubscriptions()).toHaveLength(1);
    });

    it.each([
      [{}, ['discord:1', 'telegram:-1', 'telegram:-2']],
      [{ platform: 'telegram' as const }, ['telegram:-1', 'telegram:-2']],
      [{ activeOnly: true }, ['discord:1', 'telegram:-2']],
      [{ platform: 'discord' as const, activeOnly: true }, ['discord:1']],
      [{ platform: 'telegram' as const, activeOnly: true }, ['telegram:-2']],
    ])('listSubscriptions(%o)', async (filter, expected) => {
      await store.subscribe({ platform: 'discord', chatId: '1', threadId: null, subscribedBy: 'cli' });
      await store.subscribe({ platform: 'telegram', chatId: '-1', threadId: null, subscribedBy: 'cli' });
      await store.subscribe({ platform: 'telegram', chatId: '-2', threadId: null, subscribedBy: 'cli' });
      await store.unsubscribe({ platform: 'telegram', chatId: '-1', threadId: null }, 'gone');
      expect((await store.listSubscriptions(filter)).map((s) => `${s.platform}:${s.chatId}`)).toEqual(expected);
    });
  });

  describe('delivery options', () => {
    const defaults = { mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null };

    it('a subscribe may set options; the others take their defaults', async () => {
      const sub = await store.subscribe({ ...channel, subscribedBy: 'cli', options: { mentionRoleId: '223456789012345678', language: 'en' } });
      expect(sub.options).toEqual({ ...defaults, mentionRoleId: '223456789012345678', language: 'en' });
      expect((await store.listSubscriptions())[0]?.options).toEqual(sub.options);
    });

    it('resubscribing (active or after an unsubscribe) keeps the options unless new ones are given', async () => {
      await store.subscribe({ ...chat, subscribedBy: 'cli', options: { silent: true, wordcloud: false, language: 'en' } });
      expect((await store.subscribe({ ...chat, subscribedBy: 'cli', timeOfDay: '09:00', timezone: 'UTC' })).options).toEqual({
        ...defaults,
        silent: true,
        wordcloud: false,
        language: 'en',
      });
      await store.unsubscribe(chat, 'unsubscribed by cli');
      const back = await store.subscribe({ ...chat, subscribedBy: 'cli', options: { wordcloud: true } });
      expect(back.options).toEqual({ ...defaults, silent: true, wordcloud: true, language: 'en' });
    });

    it('setSubscriptionOptions changes only what is given, and clears a role or language with null', async () => {
      await store.subscribe({ ...channel, subscribedBy: 'cli' });
      const set = await store.setSubscriptionOptions(channel, { mentionRoleId: '42', silent: true });
      expect(set?.options).toEqual({ ...defaults, mentionRoleId: '42', silent: true });
      const more = await store.setSubscriptionOptions(channel, { language: 'en' });
      expect(more?.options).toEqual({ ...defaults, mentionRoleId: '42', silent: true, language: 'en' });
      const cleared = await store.setSubscriptionOptions(channel, { mentionRoleId: null, language: null });
      expect(cleared?.options).toEqual({ ...defaults, silent: true });
      expect((await store.getSubscription(channel))?.options).toEqual({ ...defaults, silent: true });
      // Who and when are not a settings change.
      expect(cleared).toMatchObject({ subscribedBy: 'cli', subscribedAt: at(0), active: true });
    });

    it('the platform options (layout, forum tag, publish, collapsed details) round-trip, false kept apart from null', async () => {
      await store.subscribe({ ...channel, subscribedBy: 'cli', options: { layout: 'embeds', forumTagId: '1300000000000000001' } });
      const set = await store.setSubscriptionOptions(channel, { publish: false, collapseDetails: false });
      const expected = { ...defaults, layout: 'embeds', forumTagId: '1300000000000000001', publish: false, collapseDetails: false };
      expect(set?.options).toEqual(expected);
      expect((await store.getSubscription(channel))?.options).toEqual(expected);
      const back = await store.setSubscriptionOptions(channel, { layout: null, forumTagId: null, publish: null, collapseDetails: true });
      expect(back?.options).toEqual({ ...defaults, collapseDetails: true });
    });

    it('setSubscriptionOptions returns null, changing nothing, without an active subscription', async () => {
      expect(await store.setSubscriptionOptions(chat, { silent: true })).toBeNull();
      await store.subscribe({ ...chat, subscribedBy: 'cli' });
      await store.unsubscribe(chat, 'unsubscribed by cli');
      expect(await store.setSubscriptionOptions(chat, { silent: true })).toBeNull();
      expect((await store.getSubscription(chat))?.options).toEqual(defaults);
      expect(await store.getSubscription(topic)).toBeNull();
    });

    it('options move with a subscription to a supergroup', async () => {
      await store.subscribe({ ...chat, subscribedBy: 'cli', options: { silent: true } });
      await store.moveSubscription(chat, '-1009999999999');
      expect((await store.getSubscription({ ...chat, chatId: '-1009999999999' }))?.options.silent).toBe(true);
    });
  });

  describe('moveSubscription (Telegram group → supergroup)', () => {
    const group: Destination = { platform: 'telegram', chatId: '-4001', threadId: null };
    const supergroup: Destination = { platform: 'telegram', chatId: '-1009999', threadId: null };

    it('moves the subscription and its ledger rows, keeping their ids', async () => {
      const sub = await store.subscribe({ ...group, title: 'g', subscribedBy: 'telegram:7' });
      const { delivery } = await store.claimDelivery({ slug: '2026-01-03', destination: group, kind: 'scheduled' });
      await store.moveSubscription(group, supergroup.chatId);
      expect(await store.getSubscription(group)).toBeNull();
      expect(await store.getSubscription(supergroup)).toMatchObject({ id: sub.id, title: 'g', active: true, subscribedBy: 'telegram:7' });
      expect(await store.getDelivery('2026-01-03', supergroup, 'scheduled')).toMatchObject({ id: delivery.id, status: 'sending' });
      expect(await store.getDelivery('2026-01-03', group, 'scheduled')).toBeNull();
    });

    it('merges into an existing target row: the moved row wins unless the target is active and the source is not', async () => {
      await store.subscribe({ ...supergroup, subscribedBy: 'old' });
      await store.unsubscribe(supergroup, 'left');
      const moving = await store.subscribe({ ...group, subscribedBy: 'new' });
      await store.moveSubscription(group, supergroup.chatId);
      expect(await store.listSubscriptions()).toEqual([{ ...moving, chatId: supergroup.chatId }]);

      await store.subscribe({ ...group, subscribedBy: 'inactive source' });
      await store.unsubscribe(group, 'left');
      await store.moveSubscription(group, supergroup.chatId);
      expect(await store.listSubscriptions()).toEqual([{ ...moving, chatId: supergroup.chatId }]);
    });

    it('on a ledger clash keeps a delivered target row, otherwise the moved row', async () => {
      await store.subscribe({ ...group, subscribedBy: 'cli' });
      const delivered = (await store.claimDelivery({ slug: 'a', destination: supergroup, kind: 'scheduled' })).delivery;
      await store.markDelivered(delivered.id, ['1']);
      await store.claimDelivery({ slug: 'a', destination: group, kind: 'scheduled' });
      const stale = (await store.claimDelivery({ slug: 'b', destination: supergroup, kind: 'scheduled' })).delivery;
      await store.markFailed(stale.id, 'x');
      const moved = (await store.claimDelivery({ slug: 'b', destination: group, kind: 'scheduled' })).delivery;
      await store.moveSubscription(group, supergroup.chatId);
      expect((await store.listDeliveries()).map((d) => [d.id, d.slug, d.chatId, d.status])).toEqual([
        [delivered.id, 'a', supergroup.chatId, 'delivered'],
        [moved.id, 'b', supergroup.chatId, 'sending'],
      ]);
    });

    it('leaves other destinations alone', async () => {
      await store.subscribe({ ...channel, subscribedBy: 'cli' });
      await store.claimDelivery({ slug: 'a', destination: channel, kind: 'scheduled' });
      await store.moveSubscription(group, supergroup.chatId);
      expect((await store.listSubscriptions()).map((s) => s.chatId)).toEqual([channel.chatId]);
      expect((await store.listDeliveries()).map((d) => d.chatId)).toEqual([channel.chatId]);
    });
  });

  describe('delivery ledger', () => {
    it('claims once per report, destination and kind', async () => {
      const first = await store.claimDelivery({ slug: '2026-01-03', destination: topic, kind: 'scheduled' });
      expect(first).toEqual({
        created: true,
        delivery: {
          id: expect.any(Number),
          slug: '2026-01-03',
          platform: 'telegram',
          chatId: topic.chatId,
          threadId: '42',
          kind: 'scheduled',
          status: 'sending',
          messageIds: [],
          attempts: 0,
          lastError: null,
          requestedBy: null,
          contentHash: null,
          createdAt: at(0),
          updatedAt: at(0),
        },
      });
      const again = await store.claimDelivery({ slug: '2026-01-03', destination: topic, kind: 'scheduled' });
      expect(again).toEqual({ created: false, delivery: first.delivery });

      const others = [
        await store.claimDelivery({ slug: '2026-01-03', destination: topic, kind: 'repost', requestedBy: 'cli' }),
        await store.claimDelivery({ slug: '2026-01-03', destination: chat, kind: 'scheduled' }),
        await store.claimDelivery({ slug: '2026-01-04', destination: topic, kind: 'scheduled' }),
      ];
      expect(others.map((o) => o.created)).toEqual([true, true, true]);
      expect(others[0]?.delivery.requestedBy).toBe('cli');
      expect(await store.listDeliveries()).toHaveLength(4);
    });

    it('walks sending → attempts → failed → restarted → delivered', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: channel, kind: 'scheduled' }); // t0
      await store.recordAttempt(delivery.id); // t1
      await store.recordAttempt(delivery.id); // t2
      await store.markFailed(delivery.id, '503 Service Unavailable'); // t3
      expect(await store.getDelivery('s', channel, 'scheduled')).toMatchObject({
        status: 'failed',
        attempts: 2,
        lastError: '503 Service Unavailable',
        createdAt: at(0),
        updatedAt: at(3),
      });
      await store.restartDelivery(delivery.id, 'discord:99'); // t4
      expect(await store.getDelivery('s', channel, 'scheduled')).toMatchObject({
        status: 'sending',
        attempts: 0,
        lastError: null,
        requestedBy: 'discord:99',
      });
      await store.recordAttempt(delivery.id);
      await store.markDelivered(delivery.id, ['1300000000000000001', '1300000000000000002']);
      expect(await store.getDelivery('s', channel, 'scheduled')).toMatchObject({
        status: 'delivered',
        attempts: 1,
        messageIds: ['1300000000000000001', '1300000000000000002'],
      });
    });

    it('records which version of the report a delivery carried; a mark without one keeps it', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' });
      await store.markDelivered(delivery.id, ['1'], 'a'.repeat(64));
      expect((await store.getDelivery('s', chat, 'scheduled'))?.contentHash).toBe('a'.repeat(64));
      await store.restartDelivery(delivery.id, 'cli');
      await store.markDelivered(delivery.id, ['2']);
      expect((await store.getDelivery('s', chat, 'scheduled'))?.contentHash).toBe('a'.repeat(64));
      await store.restartDelivery(delivery.id, 'cli');
      await store.markDelivered(delivery.id, ['3'], 'b'.repeat(64));
      expect((await store.getDelivery('s', chat, 'scheduled'))).toMatchObject({ messageIds: ['3'], contentHash: 'b'.repeat(64) });
    });

    it('records a correction in place once: compare and set on the hash, delivered rows only', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' });
      expect(await store.recordCorrection(delivery.id, null, 'b'.repeat(64))).toBe(false); // still sending
      await store.markDelivered(delivery.id, ['1', '2'], 'a'.repeat(64));
      expect(await store.recordCorrection(delivery.id, 'c'.repeat(64), 'b'.repeat(64))).toBe(false); // another version
      expect(await store.recordCorrection(delivery.id, 'a'.repeat(64), 'b'.repeat(64))).toBe(true);
      // A second process correcting from the same version finds it recorded already.
      expect(await store.recordCorrection(delivery.id, 'a'.repeat(64), 'b'.repeat(64))).toBe(false);
      expect(await store.getDelivery('s', chat, 'scheduled')).toMatchObject({ status: 'delivered', messageIds: ['1', '2'], contentHash: 'b'.repeat(64) });
      const older = await store.claimDelivery({ slug: 't', destination: chat, kind: 'scheduled' });
      await store.markDelivered(older.delivery.id, ['3']);
      expect(await store.recordCorrection(older.delivery.id, null, 'b'.repeat(64))).toBe(true);
    });

    it('records a deactivation with its reason', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' });
      await store.markDeactivated(delivery.id, '403 bot was kicked from the group chat');
      expect(await store.getDelivery('s', chat, 'scheduled')).toMatchObject({
        status: 'deactivated',
        lastError: '403 bot was kicked from the group chat',
      });
    });

    it('a restart of a delivered row clears the old run’s message ids', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'repost', requestedBy: 'a' });
      await store.markDelivered(delivery.id, ['5']);
      await store.restartDelivery(delivery.id, null);
      expect(await store.getDelivery('s', chat, 'repost')).toMatchObject({ status: 'sending', messageIds: [], requestedBy: null });
    });

    it.each([
      ['recordAttempt', (s: Store) => s.recordAttempt(404)],
      ['markDelivered', (s: Store) => s.markDelivered(404, [])],
      ['markFailed', (s: Store) => s.markFailed(404, 'x')],
      ['markDeactivated', (s: Store) => s.markDeactivated(404, 'x')],
      ['restartDelivery', (s: Store) => s.restartDelivery(404, null)],
    ])('%s on an unknown id rejects with StoreError', async (_name, act) => {
      await expect(act(store)).rejects.toThrow(StoreError);
      await expect(act(store)).rejects.toThrow(/no delivery with id 404/);
    });

    it.each([
      [{}, ['a discord', 'a telegram', 'b telegram']],
      [{ slug: 'a' }, ['a discord', 'a telegram']],
      [{ platform: 'telegram' as const }, ['a telegram', 'b telegram']],
      [{ slug: 'b', platform: 'discord' as const }, []],
    ])('listDeliveries(%o)', async (filter, expected) => {
      await store.claimDelivery({ slug: 'a', destination: channel, kind: 'scheduled' });
      await store.claimDelivery({ slug: 'a', destination: chat, kind: 'scheduled' });
      await store.claimDelivery({ slug: 'b', destination: chat, kind: 'scheduled' });
      expect((await store.listDeliveries(filter)).map((d) => `${d.slug} ${d.platform}`)).toEqual(expected);
    });
  });

  describe('delivery parts (one row per accepted photo, text chunk or Discord message)', () => {
    it('records parts as they are accepted, keeps the first id of an index, and lists them in order', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' }); // t0
      await store.recordDeliveryPart(delivery.id, { index: 1, messageId: '11', plan: '' }); // t1
      await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '10', plan: '' }); // t2
      await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '99', plan: '' }); // t3: a repeat of part 0 keeps 10
      expect(await store.listDeliveryParts(delivery.id)).toEqual([
        { deliveryId: delivery.id, index: 0, messageId: '10', plan: '', sentAt: at(2) },
        { deliveryId: delivery.id, index: 1, messageId: '11', plan: '', sentAt: at(1) },
      ]);
      const other = (await store.claimDelivery({ slug: 's', destination: topic, kind: 'scheduled' })).delivery;
      expect(await store.listDeliveryParts(other.id)).toEqual([]);
    });

    it('survives close and reopen (what a crash leaves behind)', async () => {
      const place = await backend.persistent();
      try {
        const first = await place.open();
        const { delivery } = await first.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' });
        await first.recordDeliveryPart(delivery.id, { index: 0, messageId: '7', plan: 'text-only' });
        await first.close();
        const second = await place.open();
        expect((await second.listDeliveryParts(delivery.id)).map(({ index, messageId, plan }) => ({ index, messageId, plan }))).toEqual([
          { index: 0, messageId: '7', plan: 'text-only' },
        ]);
        await second.close();
      } finally {
        await place.remove();
      }
    });

    it('a restart (new repost run) starts a fresh set of parts; a failed row tried again keeps them', async () => {
      const { delivery } = await store.claimDelivery({ slug: 's', destination: chat, kind: 'repost', requestedBy: 'a' });
      await store.recordDeliveryPart(delivery.id, { index: 0, messageId: '1', plan: '' });
      await store.markFailed(delivery.id, '500');
      await store.restartDelivery(delivery.id, 'a', { keepParts: true });
      expect((await store.listDeliveryParts(delivery.id)).map((p) => p.messageId)).toEqual(['1']);
      await store.recordDeliveryPart(delivery.id, { index: 1, messageId: '2', plan: '' });
      await store.markDelivered(delivery.id, ['1', '2']);
      await store.restartDelivery(delivery.id, 'b');
      expect(await store.listDeliveryParts(delivery.id)).toEqual([]);
    });

    it('parts follow their row through a supergroup migration, and go with a row that is dropped', async () => {
      const moved = (await store.claimDelivery({ slug: 's', destination: chat, kind: 'scheduled' })).delivery;
      await store.recordDeliveryPart(moved.id, { index: 0, messageId: '1', plan: '' });
      const target = { ...chat, chatId: '-1009999' };
      const dropped = (await store.claimDelivery({ slug: 't', destination: chat, kind: 'scheduled' })).delivery;
      await store.recordDeliveryPart(dropped.id, { index: 0, messageId: '2', plan: '' });
      const kept = (await store.claimDelivery({ slug: 't', destination: target, kind: 'scheduled' })).delivery;
      await store.markDelivered(kept.id, ['3']);
      await store.moveSubscription(chat, target.chatId);
      expect((await store.getDelivery('s', target, 'scheduled'))?.id).toBe(moved.id);
      expect((await store.listDeliveryParts(moved.id)).map((p) => p.messageId)).toEqual(['1']);
      // The source row of report t lost to the target's delivered row; its parts went with it.
      expect(await store.listDeliveryParts(dropped.id)).toEqual([]);
    });
  });

  describe('handled webhook updates (claimUpdate)', () => {
    it('claims an update once; the same id on the other platform is another update', async () => {
      expect(await store.claimUpdate('telegram', '900001')).toBe(true);
      expect(await store.claimUpdate('telegram', '900001')).toBe(false);
      expect(await store.claimUpdate('telegram', '900002')).toBe(true);
      expect(await store.claimUpdate('discord', '900001')).toBe(true);
      expect(await store.claimUpdate('discord', '900001')).toBe(false);
    });

    it('two stores on one database claiming the same updates at once: each update is won exactly once', async () => {
      const place = await backend.persistent();
      const first = await place.open();
      const second = await place.open();
      try {
        const ids = Array.from({ length: 40 }, (_, i) => String(500_000 + i));
        const wins = await Promise.all(ids.flatMap((id) => [first.claimUpdate('telegram', id), second.claimUpdate('telegram', id)]));
        for (let i = 0; i < ids.length; i += 1) expect([wins[2 * i], wins[2 * i + 1]].filter(Boolean)).toHaveLength(1);
        // A resend that reaches either store later is refused too.
        expect(await first.claimUpdate('telegram', ids[0]!)).toBe(false);
        expect(await second.claimUpdate('telegram', ids[39]!)).toBe(false);
      } finally {
        await first.close();
        await second.close();
        await place.remove();
      }
    });

    it('pruneUpdates forgets the claims made before the cutoff and keeps the later ones', async () => {
      await store.claimUpdate('telegram', '1'); // t0
      await store.claimUpdate('telegram', '2'); // t1
      await store.claimUpdate('telegram', '3'); // t2
      expect(await store.pruneUpdates(at(2))).toBe(2);
      expect(await store.claimUpdate('telegram', '3')).toBe(false);
      // Forgotten: a claim long after Telegram stopped resending it would count as new.
      expect(await store.claimUpdate('telegram', '1')).toBe(true);
      expect(await store.pruneUpdates(at(0))).toBe(0);
    });
  });
}
