import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer, type DelivererDeps } from '../../src/delivery/deliverer.ts';
import type { OwnerEvent } from '../../src/delivery/notices.ts';
import type { OwnerNotifier } from '../../src/delivery/owner-notifier.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

const SLUG = 'twitter_ai_20260103_20260103';
const tg = (chatId: string): Destination => ({ platform: 'telegram', chatId, threadId: null });
const dc = (chatId: string): Destination => ({ platform: 'discord', chatId, threadId: null });

class RecordingNotifier implements OwnerNotifier {
  readonly events: OwnerEvent[] = [];
  async notify(events: readonly OwnerEvent[]): Promise<void> {
    this.events.push(...events);
  }
}

let store: SqliteStore;
let telegram: ScriptedPlatform;
let discord: ScriptedPlatform;
let notifier: RecordingNotifier;
let sleeps: number[];

function deliverer(overrides: Partial<DelivererDeps> = {}): Deliverer {
  return new Deliverer({
    store,
    platforms: { telegram, discord },
    policy: { maxAttempts: 4, backoffBaseMs: 1000, backoffCapMs: 5000 },
    notifier,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  });
}

async function subscribe(...destinations: Destination[]): Promise<void> {
  for (const d of destinations) await store.subscribe({ ...d, subscribedBy: 'cli' });
}

function scheduled(destinations: Destination[], slug = SLUG) {
  return { slug, digest: testDigest(slug), destinations, kind: 'scheduled' as const };
}

beforeEach(async () => {
  store = await SqliteStore.open(':memory:');
  telegram = new ScriptedPlatform('telegram');
  discord = new ScriptedPlatform('discord');
  notifier = new RecordingNotifier();
  sleeps = [];
});
afterEach(() => store.close());

describe('Deliverer', () => {
  it('delivers once per destination on both platforms, and a second run sends nothing', async () => {
    const all = [tg('-1001'), tg('-1002'), dc('501'), dc('502')];
    await subscribe(...all);
    const first = await deliverer().deliver(scheduled(all));
    expect(first.byPlatform.telegram).toEqual({ delivered: 2, skipped: 0, deactivated: 0, failed: 0, migrated: 0 });
    expect(first.byPlatform.discord).toEqual({ delivered: 2, skipped: 0, deactivated: 0, failed: 0, migrated: 0 });
    expect(telegram.delivered).toHaveLength(2);
    expect(discord.delivered).toHaveLength(2);
    for (const d of all) expect((await store.getDelivery(SLUG, d, 'scheduled'))?.status).toBe('delivered');

    const second = await deliverer().deliver(scheduled(all));
    expect(second.byPlatform.telegram.skipped).toBe(2);
    expect(second.byPlatform.discord.skipped).toBe(2);
    expect(telegram.attempts).toHaveLength(2);
    expect(discord.attempts).toHaveLength(2);
  });

  it('records the platform message ids in the ledger', async () => {
    await deliverer().deliver(scheduled([dc('501')]));
    expect((await store.getDelivery(SLUG, dc('501'), 'scheduled'))?.messageIds).toEqual(['1']);
  });

  it('waits retry_after on a 429 and sends again, without spending a transient attempt', async () => {
    telegram.script('-1001', { fail: 'rate-limited', retryAfterMs: 3000 }, { fail: 'rate-limited', retryAfterMs: 2000 });
    const report = await deliverer({ policy: { maxAttempts: 1, backoffBaseMs: 1000, backoffCapMs: 5000 } }).deliver(
      scheduled([tg('-1001')]),
    );
    expect(report.byPlatform.telegram.delivered).toBe(1);
    expect(sleeps).toEqual([3000, 2000]);
    expect((await store.getDelivery(SLUG, tg('-1001'), 'scheduled'))?.attempts).toBe(3);
  });

  it('gives up on a flood wait longer than the cap and leaves the row failed for the next due time', async () => {
    telegram.script('-1001', { fail: 'rate-limited', retryAfterMs: 3_600_000 });
    const report = await deliverer().deliver(scheduled([tg('-1001')]));
    expect(report.byPlatform.telegram.failed).toBe(1);
    expect(sleeps).toEqual([]);
    expect((await store.getDelivery(SLUG, tg('-1001'), 'scheduled'))?.status).toBe('failed');
  });

  it('retries a burst of 5xx with exponential backoff and full jitter, then delivers', async () => {
    discord.script('501', { fail: 'transient' }, { fail: 'transient', code: 502 }, { fail: 'transient', code: 503 });
    const report = await deliverer().deliver(scheduled([dc('501')]));
    expect(report.byPlatform.discord.delivered).toBe(1);
    // random() = 0.5 of min(cap 5000, 1000 · 2^(n−1)).
    expect(sleeps).toEqual([500, 1000, 2000]);
    // The same idempotency key on every attempt: a retried send that did land is deduplicated.
    expect(new Set(discord.attempts.map((a) => a.idempotencyKey)).size).toBe(1);
  });

  it('marks failed after maxAttempts, retries at the next due time, and tells the owners when it fails again', async () => {
    await subscribe(tg('-1001'));
    telegram.script('-1001', ...Array.from({ length: 8 }, () => ({ fail: 'transient' as const })));
    const first = await deliverer().deliver(scheduled([tg('-1001')]));
    expect(first.byPlatform.telegram.failed).toBe(1);
    expect(telegram.attempts).toHaveLength(4);
    expect(await store.getDelivery(SLUG, tg('-1001'), 'scheduled')).toMatchObject({ status: 'failed' });
    expect(notifier.events).toEqual([]);

    // A fresh Deliverer (a restarted process): the ledger alone says this is the second failure.
    const second = await deliverer().deliver(scheduled([tg('-1001')]));
    expect(second.byPlatform.telegram.failed).toBe(1);
    expect(telegram.attempts).toHaveLength(8);
    expect(notifier.events).toEqual([expect.objectContaining({ kind: 'failed', repeated: true, slug: SLUG })]);

    // Third due time: it works.
    const third = await deliverer().deliver(scheduled([tg('-1001')]));
    expect(third.byPlatform.telegram.delivered).toBe(1);
  });

  it('deactivates a destination that answers 403, tells the owners, and never posts there again', async () => {
    await subscribe(tg('-1001'), tg('-1002'));
    telegram.script('-1001', { fail: 'gone' });
    const report = await deliverer().deliver(scheduled([tg('-1001'), tg('-1002')]));
    expect(report.byPlatform.telegram).toMatchObject({ delivered: 1, deactivated: 1 });
    const sub = await store.getSubscription(tg('-1001'));
    expect(sub?.active).toBe(false);
    expect(sub?.reason).toContain('bot was kicked');
    expect((await store.getDelivery(SLUG, tg('-1001'), 'scheduled'))?.status).toBe('deactivated');
    expect(notifier.events).toEqual([expect.objectContaining({ kind: 'deactivated', reason: expect.stringContaining('403') })]);

    const again = await deliverer().deliver(scheduled([tg('-1001')]));
    expect(again.byPlatform.telegram.skipped).toBe(1);
    expect(telegram.attempts.filter((a) => a.destination.chatId === '-1001')).toHaveLength(1);
  });

  it('moves a migrated Telegram group to its supergroup and delivers there', async () => {
    await subscribe(tg('-42'));
    telegram.script('-42', { fail: 'migrated', to: '-10042' });
    const report = await deliverer().deliver(scheduled([tg('-42')]));
    expect(report.byPlatform.telegram).toMatchObject({ delivered: 1, migrated: 1 });
    expect(report.results[0]?.deliveredTo.chatId).toBe('-10042');
    expect(telegram.deliveredTo('-10042')).toBe(1);
    expect(await store.getSubscription(tg('-42'))).toBeNull();
    expect((await store.getSubscription(tg('-10042')))?.active).toBe(true);
    expect((await store.getDelivery(SLUG, tg('-10042'), 'scheduled'))?.status).toBe('delivered');

    // The next tick targets the moved subscription and finds it delivered.
    const again = await deliverer().deliver(scheduled([tg('-10042')]));
    expect(again.byPlatform.telegram.skipped).toBe(1);
  });

  it('marks a rejected payload failed and tells the owners at once', async () => {
    discord.script('501', { fail: 'rejected' });
    const report = await deliverer().deliver(scheduled([dc('501')]));
    expect(report.byPlatform.discord.failed).toBe(1);
    expect(discord.attempts).toHaveLength(1);
    expect(notifier.events).toEqual([expect.objectContaining({ kind: 'failed', repeated: false })]);
  });

  it('resends a row left in `sending` by a crash with the same idempotency key', async () => {
    const clean = await deliverer().deliver(scheduled([dc('777')]));
    expect(clean.byPlatform.discord.delivered).toBe(1);
    const firstKey = discord.attempts[0]?.idempotencyKey;

    // A crash after claiming and recording the attempt, before markDelivered.
    const { delivery } = await store.claimDelivery({ slug: SLUG, destination: dc('501'), kind: 'scheduled' });
    await store.recordAttempt(delivery.id);
    const resumed = await deliverer().deliver(scheduled([dc('501')]));
    expect(resumed.byPlatform.discord.delivered).toBe(1);
    expect(discord.attempts[1]?.idempotencyKey).toBe(firstKey?.replace('777', '501'));
    expect((await store.getDelivery(SLUG, dc('501'), 'scheduled'))?.attempts).toBe(2);
  });

  it('reposts where already delivered, records who asked, and uses a fresh key each time', async () => {
    await deliverer().deliver(scheduled([dc('501')]));
    const repost = { slug: SLUG, digest: testDigest(), destinations: [dc('501')], kind: 'repost' as const, requestedBy: 'discord:99' };
    const first = await deliverer().deliver(repost);
    const second = await deliverer().deliver({ ...repost, requestedBy: 'cli' });
    expect(first.byPlatform.discord.delivered).toBe(1);
    expect(second.byPlatform.discord.delivered).toBe(1);
    expect(discord.delivered).toHaveLength(3);
    expect(new Set(discord.attempts.map((a) => a.idempotencyKey)).size).toBe(3);
    expect(await store.getDelivery(SLUG, dc('501'), 'repost')).toMatchObject({ status: 'delivered', requestedBy: 'cli' });
    expect((await store.getDelivery(SLUG, dc('501'), 'scheduled'))?.requestedBy).toBeNull();
  });

  it('treats a destination that already got a repost of the report as delivered for the schedule', async () => {
    await deliverer().deliver({ ...scheduled([dc('501')]), kind: 'repost', requestedBy: 'cli' });
    const report = await deliverer().deliver(scheduled([dc('501')]));
    expect(report.byPlatform.discord.skipped).toBe(1);
    expect(discord.attempts).toHaveLength(1);
  });

  it('keeps delivering to the others while one destination hangs', async () => {
    let release!: () => void;
    const hang = new Promise<void>((resolve) => (release = resolve));
    const others = ['-2', '-3', '-4', '-5', '-6'].map(tg);
    telegram.script('-1', { hang });
    const run = deliverer({ concurrency: { telegram: 2 } }).deliver(scheduled([tg('-1'), ...others]));
    // With two lanes, one stuck on -1, the other lane must get through all the rest.
    await expect.poll(() => telegram.delivered.length).toBe(5);
    expect(telegram.delivered.map((r) => r.destination.chatId)).toEqual(['-2', '-3', '-4', '-5', '-6']);
    release();
    const report = await run;
    expect(report.byPlatform.telegram.delivered).toBe(6);
  });

  it('sends once when two fan-outs of the same report overlap in one process', async () => {
    const d = deliverer();
    const [a, b] = await Promise.all([d.deliver(scheduled([tg('-1'), tg('-2')])), d.deliver(scheduled([tg('-1'), tg('-2')]))]);
    expect(telegram.attempts).toHaveLength(2);
    expect(a.byPlatform.telegram.delivered + b.byPlatform.telegram.delivered).toBe(2);
    expect(a.byPlatform.telegram.skipped + b.byPlatform.telegram.skipped).toBe(2);
  });

  it('fails a destination whose platform is not configured, without touching the ledger', async () => {
    const report = await deliverer({ platforms: { telegram } }).deliver(scheduled([dc('501'), tg('-1')]));
    expect(report.byPlatform.discord.failed).toBe(1);
    expect(report.results[0]?.reason).toContain('not configured');
    expect(await store.getDelivery(SLUG, dc('501'), 'scheduled')).toBeNull();
    expect(report.byPlatform.telegram.delivered).toBe(1);
  });

  it('reports an unclassified adapter error as transient and retries it', async () => {
    let calls = 0;
    const flaky = new ScriptedPlatform('telegram');
    flaky.sendDigest = async () => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      return { messageIds: ['9'], imageDropped: false };
    };
    const report = await deliverer({ platforms: { telegram: flaky } }).deliver(scheduled([tg('-1')]));
    expect(report.byPlatform.telegram.delivered).toBe(1);
    expect(sleeps).toEqual([500]);
  });
});
