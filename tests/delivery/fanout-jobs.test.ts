import { describe, expect, it } from 'vitest';
import type { DeliveryReport } from '../../src/delivery/deliverer.ts';
import { retryReason, wantedSchedules } from '../../src/delivery/fanout-jobs.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

// The job logic both coordinations share (the Scheduler on SQLite, pg-boss on PostgreSQL).
const GLOBAL = { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' };

function reportWith(problems: Array<string | null>): DeliveryReport {
  return { results: problems.map((ledgerProblem) => ({ ledgerProblem })) } as unknown as DeliveryReport;
}

describe('fan-out jobs', () => {
  it('wants the global schedule and one per distinct time of day among active subscriptions', async () => {
    const store = await SqliteStore.open(':memory:');
    try {
      expect([...(await wantedSchedules(store, GLOBAL)).keys()]).toHaveLength(1);
      await store.subscribe({ platform: 'telegram', chatId: '1', threadId: null, subscribedBy: 'cli', timeOfDay: '08:30', timezone: 'Europe/Berlin' });
      await store.subscribe({ platform: 'discord', chatId: '2', threadId: null, subscribedBy: 'cli', timeOfDay: '08:30', timezone: 'Europe/Berlin' });
      await store.subscribe({ platform: 'discord', chatId: '3', threadId: null, subscribedBy: 'cli' });
      const inactive = { platform: 'telegram' as const, chatId: '4', threadId: null };
      await store.subscribe({ ...inactive, subscribedBy: 'cli', timeOfDay: '23:00', timezone: 'UTC' });
      await store.unsubscribe(inactive, 'test');
      const wanted = await wantedSchedules(store, GLOBAL);
      expect([...wanted.values()]).toEqual(
        expect.arrayContaining([
          { kind: 'cron', expression: GLOBAL.schedule, timezone: GLOBAL.timezone },
          { kind: 'daily', timeOfDay: '08:30', timezone: 'Europe/Berlin' },
        ]),
      );
      expect(wanted.size).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('asks for a retry with the first ledger problem of any report, and not without one', () => {
    expect(retryReason([])).toBeNull();
    expect(retryReason([null, reportWith([null, null])])).toBeNull();
    expect(retryReason([reportWith([null]), null, reportWith([null, 'disk full', 'later'])])).toBe('disk full');
  });
});
