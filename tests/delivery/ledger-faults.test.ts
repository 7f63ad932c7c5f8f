import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Deliverer, type DelivererDeps } from '../../src/delivery/deliverer.ts';
import type { OwnerEvent } from '../../src/delivery/notices.ts';
import type { OwnerNotifier } from '../../src/delivery/owner-notifier.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FaultyStore } from './faulty-store.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

const SLUG = 'twitter_ai_20260103_20260103';
const tg = (chatId: string): Destination => ({ platform: 'telegram', chatId, threadId: null });
const chats = Array.from({ length: 40 }, (_, i) => tg(String(-1000 - i)));

class RecordingNotifier implements OwnerNotifier {
  readonly alerts: string[] = [];
  async notify(_events: readonly OwnerEvent[]): Promise<void> {}
  async alert(text: string): Promise<void> {
    this.alerts.push(text);
  }
}

let sqlite: SqliteStore;
let faulty: FaultyStore;
let telegram: ScriptedPlatform;
let notifier: RecordingNotifier;
let health: ServiceHealth;
let logLines: Array<{ level: string; event?: string; msg: string }>;

function deliverer(overrides: Partial<DelivererDeps> = {}): Deliverer {
  return new Deliverer({
    store: faulty.store,
    platforms: { telegram },
    policy: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 10 },
    notifier,
    health,
    logger: createLogger({ level: 'debug', destination: { write: (line: string) => logLines.push(JSON.parse(line)) } }),
    sleep: async () => undefined,
    ...overrides,
  });
}

const scheduled = (destinations: Destination[]) => ({ slug: SLUG, digest: testDigest(SLUG), destinations, kind: 'scheduled' as const });

beforeEach(async () => {
  sqlite = await SqliteStore.open(':memory:');
  faulty = new FaultyStore(sqlite);
  telegram = new ScriptedPlatform('telegram');
  notifier = new RecordingNotifier();
  health = new ServiceHealth();
  health.set('store', true);
  logLines = [];
  for (const d of chats) await sqlite.subscribe({ ...d, subscribedBy: 'cli' });
});
afterEach(() => sqlite.close());

describe('Deliverer when the ledger cannot record (disk full, read-only database)', () => {
  it('disk full mid-fan-out with every chat in flight: each chat gets the digest once, even after space is freed', async () => {
    faulty.fail('markDelivered');
    // Every send is answered only once all 40 are in flight (the pool opens its slots one turn
    // of the event loop apart, and this platform answers at once otherwise).
    const allInFlight = new Promise<void>((resolve) => {
      const look = (): void => (telegram.attempts.length >= chats.length ? resolve() : void setImmediate(look));
      look();
    });
    for (const d of chats) telegram.script(d.chatId, { hang: allInFlight });
    const bot = deliverer();
    const first = await bot.deliver(scheduled(chats));
    expect(telegram.delivered).toHaveLength(40);
    // Delivered (the platform accepted it), but the report says the ledger did not record it.
    expect(first.byPlatform.telegram.delivered).toBe(40);
    expect(first.results.every((r) => r.ledgerProblem?.includes('not recorded'))).toBe(true);
    expect(logLines.some((l) => l.level === 'error' && l.event === 'ledger.write_failed')).toBe(true);
    expect(health.get('store')).toMatchObject({ ready: false, detail: expect.stringContaining('disk is full') });
    expect(notifier.alerts).toHaveLength(1);

    // The next due time while the disk is still full: nothing is sent again, nothing claimed.
    faulty.fail('claimDelivery');
    const stillFull = await bot.deliver(scheduled(chats));
    expect(telegram.delivered).toHaveLength(40);
    expect(stillFull.byPlatform.telegram.skipped).toBe(40);
    expect(stillFull.results.every((r) => r.ledgerProblem !== null)).toBe(true);

    faulty.heal();
    const second = await bot.deliver(scheduled(chats));
    expect(telegram.delivered).toHaveLength(40); // nothing sent again
    expect(second.byPlatform.telegram.skipped).toBe(40);
    for (const d of chats) expect((await sqlite.getDelivery(SLUG, d, 'scheduled'))?.status).toBe('delivered');
    expect(health.get('store')?.ready).toBe(true);
  });

  it('holds the outcome, writes it again, and starts no new send while the ledger cannot record it', async () => {
    faulty.fail('markDelivered');
    const bot = deliverer({ concurrency: { telegram: 1 } });
    const first = await bot.deliver(scheduled(chats));
    // The first chat went out; its mark was tried 4 times; the other 39 were not started.
    expect(telegram.delivered).toHaveLength(1);
    expect(faulty.failures.filter((m) => m === 'markDelivered').length).toBeGreaterThanOrEqual(4);
    expect(first.byPlatform.telegram).toMatchObject({ delivered: 1, failed: 39 });
    expect(first.results[1]?.reason).toContain('not sent: the ledger cannot record it');

    faulty.heal();
    const second = await bot.deliver(scheduled(chats));
    expect(second.byPlatform.telegram).toMatchObject({ delivered: 39, skipped: 1, failed: 0 });
    for (const d of chats) expect(telegram.deliveredTo(d.chatId)).toBe(1);
  });

  it('a database that is read-only at the due time sends nothing, fails readiness, and delivers once it is writable', async () => {
    faulty = new FaultyStore(sqlite, 'SQLITE_READONLY');
    faulty.fail('claimDelivery', 'recordAttempt', 'markDelivered');
    const bot = deliverer();
    const first = await bot.deliver(scheduled(chats));
    expect(telegram.attempts).toHaveLength(0);
    expect(first.byPlatform.telegram.failed).toBe(40);
    expect(first.results.every((r) => r.ledgerProblem !== null)).toBe(true);
    expect(health.get('store')).toMatchObject({ ready: false, detail: expect.stringContaining('read-only') });
    expect(logLines.filter((l) => l.event === 'ledger.unavailable' && l.level === 'error')).toHaveLength(1);
    expect(notifier.alerts).toHaveLength(1);

    faulty.heal();
    const second = await bot.deliver(scheduled(chats));
    expect(second.byPlatform.telegram.delivered).toBe(40);
    expect(health.get('store')?.ready).toBe(true);
    expect(notifier.alerts).toHaveLength(2);
  });

  it('refuses the whole fan-out while the store check finds the database unusable (deleted, unwritable), and resumes after', async () => {
    let problem: string | null = '/data/digest.db-shm is not writable (EACCES)';
    const bot = deliverer({ storeCheck: () => problem });
    const report = await bot.deliver(scheduled(chats));
    expect(telegram.attempts).toHaveLength(0);
    expect(report.byPlatform.telegram.failed).toBe(40);
    expect(report.results[0]?.reason).toContain('not writable');
    expect(health.get('store')).toMatchObject({ ready: false, detail: expect.stringContaining('not writable') });
    expect(notifier.alerts).toHaveLength(1);

    problem = null;
    const after = await bot.deliver(scheduled(chats));
    expect(after.byPlatform.telegram.delivered).toBe(40);
    expect(health.get('store')?.ready).toBe(true);
  });
});
