import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { planCatchUp } from '../../src/delivery/catch-up.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import { Scheduler } from '../../src/delivery/scheduler.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { MemoryLibrary, testDigests, testReport } from './fixtures.ts';
import { ScriptedPlatform } from './scripted-platform.ts';

const GLOBAL = { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' };
const tg = (chatId: string): Destination => ({ platform: 'telegram', chatId, threadId: null });
const dc = (chatId: string): Destination => ({ platform: 'discord', chatId, threadId: null });

let clock: Date;
let store: SqliteStore;
let telegram: ScriptedPlatform;
let discord: ScriptedPlatform;
let library: MemoryLibrary;
let fanout: Fanout;

async function setUp(now: string): Promise<void> {
  clock = new Date(now);
  store = await SqliteStore.open(':memory:', { now: () => clock });
  telegram = new ScriptedPlatform('telegram');
  discord = new ScriptedPlatform('discord');
  const deliverer = new Deliverer({
    store,
    platforms: { telegram, discord },
    policy: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 100 },
    sleep: async () => undefined,
  });
  fanout = new Fanout({ library, digests: testDigests, store, deliverer });
}

async function subscribeAt(when: string, d: Destination, time?: { timeOfDay: string; timezone: string }): Promise<void> {
  const saved = clock;
  clock = new Date(when);
  await store.subscribe({ ...d, subscribedBy: 'cli', ...(time ?? {}) });
  clock = saved;
}

beforeEach(() => {
  library = new MemoryLibrary(
    testReport('2026-01-01', '2026-01-01T14:00:00+08:00'),
    testReport('2026-01-02', '2026-01-02T14:00:00+08:00'),
    testReport('2026-01-03', '2026-01-03T14:00:00+08:00'),
    testReport('2026-01-04', '2026-01-04T14:00:00+08:00'),
  );
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
});

describe('catch-up after downtime', () => {
  it('posts only the newest missed report, once, with a note naming the other missed dates', async () => {
    await setUp('2026-01-01T00:00:00Z');
    await subscribeAt('2025-12-30T00:00:00Z', tg('-1'));
    await subscribeAt('2025-12-30T00:00:00Z', dc('7'));
    // Both got 2026-01-01 before the bot went down.
    const first = await fanout.deliverReport(await library.findByDate('2026-01-01'), [tg('-1'), dc('7')], {
      kind: 'scheduled',
      requestedBy: null,
    });
    expect(first.byPlatform.telegram.delivered + first.byPlatform.discord.delivered).toBe(2);

    // Back up on 2026-01-05 at 10:00 Shanghai: the 09:00 post of the 01-04 report was missed.
    clock = new Date('2026-01-05T02:00:00Z');
    const scheduler = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => clock });
    const reports = await scheduler.catchUp();
    expect(reports).toHaveLength(1);
    expect(telegram.delivered.map((r) => r.digest.slug)).toEqual(['twitter_ai_20260101_20260101', 'twitter_ai_20260104_20260104']);
    expect(telegram.delivered[1]?.digest.note).toBe('错过的日报：2026-01-03、2026-01-02');
    expect(discord.delivered[1]?.digest.note).toBe('错过的日报：2026-01-03、2026-01-02');

    // A second start-up catches up nothing.
    await scheduler.catchUp();
    expect(telegram.delivered).toHaveLength(2);
    expect(discord.delivered).toHaveLength(2);
  });

  it('a second start within the same minute catches up again (nothing keyed by the minute swallows it)', async () => {
    await setUp('2026-01-05T02:00:00Z');
    await subscribeAt('2025-12-30T00:00:00Z', tg('-1'));
    const first = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => clock });
    await first.catchUpWithRetry({ platform: 'telegram' });
    expect(telegram.delivered.map((r) => r.destination.chatId)).toEqual(['-1']);
    // Restarted a few seconds later, with a chat restored in between that missed the 09:00 post.
    await subscribeAt('2025-12-30T00:00:00Z', tg('-2'));
    clock = new Date('2026-01-05T02:00:20Z');
    const second = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => clock });
    await second.catchUpWithRetry({ platform: 'telegram' });
    expect(telegram.delivered.map((r) => r.destination.chatId)).toEqual(['-1', '-2']);
  });

  it('catches up one platform at a time (the bot runs it per platform once that platform has started)', async () => {
    await setUp('2026-01-05T02:00:00Z');
    await subscribeAt('2025-12-30T00:00:00Z', tg('-1'));
    await subscribeAt('2025-12-30T00:00:00Z', dc('7'));
    const scheduler = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => clock });

    await scheduler.catchUp({ platform: 'telegram' });
    expect(telegram.delivered.map((r) => r.digest.slug)).toEqual(['twitter_ai_20260104_20260104']);
    expect(discord.delivered).toEqual([]);

    await scheduler.catchUp({ platform: 'discord' });
    expect(discord.delivered.map((r) => r.digest.slug)).toEqual(['twitter_ai_20260104_20260104']);
    expect(telegram.delivered).toHaveLength(1);
  });

  it('waits for the next due time when the newest report appeared after the last one', async () => {
    await setUp('2026-01-04T00:00:00Z');
    await subscribeAt('2025-12-30T00:00:00Z', tg('-1'));
    // 2026-01-04 14:00 Shanghai report; now 2026-01-04 20:00 Shanghai: last due 09:00 was before it.
    const plans = await planCatchUp({
      newest: testReport('2026-01-04', '2026-01-04T14:00:00+08:00'),
      library,
      store,
      global: GLOBAL,
      now: new Date('2026-01-04T12:00:00Z'),
    });
    expect(plans).toEqual([]);
  });

  it('does not catch up a subscription made after the last due time', async () => {
    await setUp('2026-01-05T02:00:00Z');
    await subscribeAt('2026-01-05T01:30:00Z', tg('-1'));
    const plans = await planCatchUp({
      newest: testReport('2026-01-04', '2026-01-04T14:00:00+08:00'),
      library,
      store,
      global: GLOBAL,
      now: clock,
    });
    expect(plans).toEqual([]);
  });

  it('uses a subscription’s own time and timezone for its due time', async () => {
    await setUp('2026-01-05T02:00:00Z');
    await subscribeAt('2025-12-30T00:00:00Z', tg('-1'), { timeOfDay: '08:30', timezone: 'Europe/Berlin' });
    const newest = testReport('2026-01-04', '2026-01-04T14:00:00+08:00');
    // 03:00 Berlin on 01-05: its last due (01-04 08:30 Berlin = 07:30Z) came after the report (06:00Z).
    expect(await planCatchUp({ newest, library, store, global: GLOBAL, now: new Date('2026-01-05T02:00:00Z') })).toHaveLength(1);
    // At 07:00Z on 01-04 Berlin's 08:30 had not come yet since the report.
    expect(await planCatchUp({ newest, library, store, global: GLOBAL, now: new Date('2026-01-04T07:00:00Z') })).toEqual([]);
  });
});

describe('Scheduler ticks (fake clock)', () => {
  it('fires a per-subscription 08:30 Europe/Berlin at 07:30Z and the global job at 09:00 Shanghai, once each', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-15T07:29:00Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    library.add(testReport('2026-01-15', '2026-01-15T13:00:00+08:00')); // 05:00Z: after 01:00Z, before 07:30Z
    await setUp('2026-01-15T07:29:00Z');
    await subscribeAt('2026-01-01T00:00:00Z', tg('-100'), { timeOfDay: '08:30', timezone: 'Europe/Berlin' });
    await subscribeAt('2026-01-01T00:00:00Z', dc('42'));
    const scheduler = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => new Date() });
    const caught = await scheduler.start();
    expect(caught).toEqual([]);
    expect(scheduler.scheduleKeys()).toEqual(['cron:0 9 * * *@Asia/Shanghai', 'daily:08:30@Europe/Berlin']);

    await vi.advanceTimersByTimeAsync(59_000); // 07:29:59Z
    expect(telegram.delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000); // 07:30:01Z
    await vi.waitFor(() => expect(telegram.delivered).toHaveLength(1));
    expect(telegram.delivered[0]?.digest.slug).toBe('twitter_ai_20260115_20260115');
    expect(discord.delivered).toHaveLength(0);

    // Next morning 09:00 Shanghai = 2026-01-16T01:00Z: the global job covers Discord only.
    await vi.advanceTimersByTimeAsync(new Date('2026-01-16T01:00:01Z').getTime() - Date.now());
    await vi.waitFor(() => expect(discord.delivered).toHaveLength(1));
    // And the Berlin job's next tick sends nothing new: same newest report, already delivered.
    await vi.advanceTimersByTimeAsync(new Date('2026-01-16T07:30:01Z').getTime() - Date.now());
    expect(telegram.delivered).toHaveLength(1);
    await scheduler.stop();
  });

  it('picks up a new report without a restart, and re-syncs jobs when subscriptions change', async () => {
    await setUp('2026-01-05T02:00:00Z');
    await subscribeAt('2026-01-01T00:00:00Z', tg('-1'));
    const scheduler = new Scheduler({ fanout, store, library, config: GLOBAL, now: () => clock });
    await scheduler.resync();
    const global = { kind: 'cron', expression: GLOBAL.schedule, timezone: GLOBAL.timezone } as const;
    await scheduler.tick(global);
    library.add(testReport('2026-01-05', '2026-01-05T14:00:00+08:00'));
    await scheduler.tick(global);
    expect(telegram.delivered.map((r) => r.digest.slug)).toEqual(['twitter_ai_20260104_20260104', 'twitter_ai_20260105_20260105']);

    await subscribeAt('2026-01-05T03:00:00Z', dc('9'), { timeOfDay: '07:00', timezone: 'America/New_York' });
    await scheduler.resync();
    expect(scheduler.scheduleKeys()).toEqual(['cron:0 9 * * *@Asia/Shanghai', 'daily:07:00@America/New_York']);
    await store.unsubscribe(dc('9'), 'test');
    await scheduler.resync();
    expect(scheduler.scheduleKeys()).toEqual(['cron:0 9 * * *@Asia/Shanghai']);
    await scheduler.stop();
  });
});
