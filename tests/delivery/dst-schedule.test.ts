import { afterEach, describe, expect, it, vi } from 'vitest';
import { previousDue, type DueSchedule } from '../../src/schedule/due-times.ts';
import type { Fanout } from '../../src/delivery/fanout.ts';
import { Scheduler } from '../../src/delivery/scheduler.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { MemoryLibrary } from './fixtures.ts';

/**
 * Daylight-saving days, with a fake clock: a local time that does not exist that day (spring
 * forward) fires at the first instant after the gap; one that happens twice (fall back) fires
 * once, at its first occurrence; and the live schedule fires exactly when the catch-up's
 * `previousDue` says it did, for a subscription's own time and for the global cron schedule.
 */

interface Transition {
  zone: string;
  what: string;
  /** Local time of day of the subscription (and of the global cron schedule). */
  time: string;
  /** Where the fake clock starts: before the first of `fires`, after the one before it. */
  from: string;
  /** The instants the schedule must fire at: the day before, the transition day, the day after. */
  fires: [string, string, string];
}

const transitions: Transition[] = [
  // Berlin: 2026-03-29 02:00 CET → 03:00 CEST; 2026-10-25 03:00 CEST → 02:00 CET.
  { zone: 'Europe/Berlin', what: 'spring forward: 02:30 does not exist, fires at 03:00 CEST', time: '02:30', from: '2026-03-27T12:00:00Z', fires: ['2026-03-28T01:30:00Z', '2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z'] },
  { zone: 'Europe/Berlin', what: 'fall back: 02:30 happens twice, fires once (CEST)', time: '02:30', from: '2026-10-23T12:00:00Z', fires: ['2026-10-24T00:30:00Z', '2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z'] },
  // New York: 2026-03-08 02:00 EST → 03:00 EDT; 2026-11-01 02:00 EDT → 01:00 EST.
  { zone: 'America/New_York', what: 'spring forward: 02:30 does not exist, fires at 03:00 EDT', time: '02:30', from: '2026-03-06T12:00:00Z', fires: ['2026-03-07T07:30:00Z', '2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z'] },
  { zone: 'America/New_York', what: 'fall back: 01:30 happens twice, fires once (EDT)', time: '01:30', from: '2026-10-30T12:00:00Z', fires: ['2026-10-31T05:30:00Z', '2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z'] },
  // Sydney: 2026-04-05 03:00 AEDT → 02:00 AEST; 2026-10-04 02:00 AEST → 03:00 AEDT.
  { zone: 'Australia/Sydney', what: 'fall back: 02:30 happens twice, fires once (AEDT)', time: '02:30', from: '2026-04-03T00:00:00Z', fires: ['2026-04-03T15:30:00Z', '2026-04-04T15:30:00Z', '2026-04-05T16:30:00Z'] },
  { zone: 'Australia/Sydney', what: 'spring forward: 02:30 does not exist, fires at 03:00 AEDT', time: '02:30', from: '2026-10-02T00:00:00Z', fires: ['2026-10-02T16:30:00Z', '2026-10-03T16:00:00Z', '2026-10-04T15:30:00Z'] },
];

const HOUR = 3_600_000;
let store: SqliteStore | null = null;

afterEach(async () => {
  vi.useRealTimers();
  await store?.close();
  store = null;
});

describe('due times on daylight-saving days', () => {
  for (const t of transitions) {
    it(`${t.zone}, ${t.what}: the live schedule and the catch-up agree`, async () => {
      vi.useFakeTimers({ now: new Date(t.from), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
      const [hh, mm] = t.time.split(':').map(Number) as [number, number];
      const global = { schedule: `${mm} ${hh} * * *`, timezone: t.zone };
      store = await SqliteStore.open(':memory:', { now: () => new Date('2026-01-01T00:00:00Z') });
      const own = { platform: 'telegram', chatId: '-1', threadId: null } as const;
      const byGlobal = { platform: 'discord', chatId: '2', threadId: null } as const;
      await store.subscribe({ ...own, subscribedBy: 'cli', timeOfDay: t.time, timezone: t.zone });
      await store.subscribe({ ...byGlobal, subscribedBy: 'cli' });
      const subscriptions = await store.listSubscriptions({ activeOnly: true });

      // Records which subscriptions each tick covers, and when.
      const fired: { at: string; who: string[] }[] = [];
      const fanout = {
        deliverNewest: async (filter: { where?: (s: (typeof subscriptions)[number]) => boolean }) => {
          const who = subscriptions.filter((s) => filter.where?.(s) ?? true).map((s) => s.platform);
          fired.push({ at: new Date().toISOString().replace('.000', ''), who });
          return null;
        },
      } as unknown as Fanout;
      const scheduler = new Scheduler({ fanout, store, library: new MemoryLibrary(), config: global });
      await scheduler.resync();

      const schedules: DueSchedule[] = [
        { kind: 'daily', timeOfDay: t.time, timezone: t.zone },
        { kind: 'cron', expression: global.schedule, timezone: t.zone },
      ];
      const disagreements: string[] = [];
      const end = new Date(t.fires[2]).getTime() + 2 * HOUR;
      while (Date.now() < end) {
        await vi.advanceTimersByTimeAsync(15 * 60_000);
        // What the catch-up would say now is the last instant the live schedule fired.
        const lastFired = fired.at(-1)?.at ?? null;
        for (const schedule of schedules) {
          const due = previousDue(schedule, new Date())?.toISOString().replace('.000', '') ?? null;
          if (lastFired !== null && due !== lastFired) disagreements.push(`${new Date().toISOString()} ${schedule.kind}: previousDue ${due}, last fired ${lastFired}`);
        }
      }
      await scheduler.stop();

      expect(fired.map((f) => f.at)).toEqual(t.fires.flatMap((at) => [at, at]));
      expect(fired.flatMap((f) => f.who).sort()).toEqual(['discord', 'discord', 'discord', 'telegram', 'telegram', 'telegram']);
      expect(disagreements).toEqual([]);
    });
  }
});
