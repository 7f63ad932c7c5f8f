import { afterEach, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import { Scheduler } from '../../src/delivery/scheduler.ts';
import type { DueSchedule } from '../../src/schedule/due-times.ts';
import { ReportParseError } from '../../src/errors.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FaultyStore } from './faulty-store.ts';
import { MemoryLibrary, testDigests, testReport } from './fixtures.ts';
import { ScriptedPlatform } from './scripted-platform.ts';

const GLOBAL = { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' };
const global: DueSchedule = { kind: 'cron', expression: GLOBAL.schedule, timezone: GLOBAL.timezone };

let sqlite: SqliteStore;
let scheduler: Scheduler | null = null;
afterEach(async () => {
  await scheduler?.stop();
  await sqlite.close();
});

describe('a due fan-out the database cannot record', () => {
  it('is tried again with backoff and goes out once the database is writable, with no operator', async () => {
    sqlite = await SqliteStore.open(':memory:');
    for (const chatId of ['-1', '-2', '-3']) await sqlite.subscribe({ platform: 'telegram', chatId, threadId: null, subscribedBy: 'cli' });
    const faulty = new FaultyStore(sqlite, 'SQLITE_READONLY');
    faulty.fail('claimDelivery', 'recordAttempt', 'markDelivered');
    const telegram = new ScriptedPlatform('telegram');
    const health = new ServiceHealth();
    const deliverer = new Deliverer({
      store: faulty.store,
      platforms: { telegram },
      policy: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 1 },
      health,
      sleep: async () => undefined,
    });
    const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T14:00:00+08:00'));
    const fanout = new Fanout({ library, digests: testDigests, store: faulty.store, deliverer });
    scheduler = new Scheduler({ fanout, store: sqlite, library, config: GLOBAL, dueRetry: { baseMs: 20, capMs: 50 } });

    const due = await scheduler.tick(global);
    expect(due?.byPlatform.telegram.failed).toBe(3);
    expect(telegram.attempts).toHaveLength(0);
    expect(health.get('store')?.ready).toBe(false);

    faulty.heal();
    const deadline = Date.now() + 5000;
    while (telegram.delivered.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(telegram.delivered.map((r) => r.destination.chatId).sort()).toEqual(['-1', '-2', '-3']);
    expect(health.get('store')?.ready).toBe(true);
  });
});

describe('the start-up catch-up when the newest report cannot be read', () => {
  it('does not stop the bot from starting, and is tried again until it can run', async () => {
    sqlite = await SqliteStore.open(':memory:', { now: () => new Date('2026-01-01T00:00:00Z') });
    await sqlite.subscribe({ platform: 'telegram', chatId: '-1', threadId: null, subscribedBy: 'cli' });
    const telegram = new ScriptedPlatform('telegram');
    const deliverer = new Deliverer({ store: sqlite, platforms: { telegram }, policy: { maxAttempts: 1, backoffBaseMs: 1, backoffCapMs: 1 } });
    const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T08:00:00+08:00'));
    let broken = true;
    const load = library.load.bind(library);
    library.load = async (entry) => {
      if (broken) throw new ReportParseError('/content/twitter_ai_20260103_20260103.md', 'not valid UTF-8 text');
      return load(entry);
    };
    const fanout = new Fanout({ library, digests: testDigests, store: sqlite, deliverer });
    scheduler = new Scheduler({
      fanout,
      store: sqlite,
      library,
      config: GLOBAL,
      now: () => new Date('2026-01-03T02:00:00Z'),
      dueRetry: { baseMs: 20, capMs: 50 },
    });
    await expect(scheduler.start()).resolves.toEqual([]);
    expect(telegram.attempts).toHaveLength(0);

    broken = false;
    const deadline = Date.now() + 5000;
    while (telegram.delivered.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(telegram.delivered.map((r) => r.destination.chatId)).toEqual(['-1']);
  });
});
