import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Deliverer } from '../../../src/delivery/deliverer.ts';
import { FanoutCoordinator, queueOf } from '../../../src/backend/postgres/fanout-coordinator.ts';
import { Fanout } from '../../../src/delivery/fanout.ts';
import { PostgresFanoutLock } from '../../../src/backend/postgres/postgres-fanout-lock.ts';
import type { Destination } from '../../../src/platforms/platform.ts';
import { BotMetrics } from '../../../src/metrics/bot-metrics.ts';
import { ServiceHealth } from '../../../src/service-health.ts';
import { PostgresStore } from '../../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.ts';
import { MemoryLibrary, testDigests, testReport } from '../../delivery/fixtures.ts';
import { ScriptedPlatform } from '../../delivery/scripted-platform.ts';

// Two bot instances in one test process, each with its own store pool, fan-out lock connection
// and pg-boss, on one PostgreSQL database (the ledger in one schema, pg-boss in another).
const enabled = await runPostgresTests('fanout-coordinator');
const schemas: string[] = [];

const FAST = { pollMs: 500, watchMs: 500, orphanGraceSeconds: 1, repostPollMs: 100 };

interface Instance {
  name: string;
  telegram: ScriptedPlatform;
  discord: ScriptedPlatform;
  store: PostgresStore;
  lock: PostgresFanoutLock;
  deliverer: Deliverer;
  coordinator: FanoutCoordinator;
  health: ServiceHealth;
  metrics: BotMetrics;
  /** Every readiness detail `fanout.telegram` had, in order. */
  details: string[];
  /** Run at the stop, after the Deliverer's stop (ends a hanging send). */
  cleanup?: () => void;
}
const running: Instance[] = [];

async function startInstance(name: string, ledger: string, boss: string, library: MemoryLibrary, now?: () => Date): Promise<Instance> {
  const telegram = new ScriptedPlatform('telegram');
  const discord = new ScriptedPlatform('discord');
  const store = await PostgresStore.open(TEST_DATABASE_URL, { schema: ledger, maxConnections: 3 });
  const lock = new PostgresFanoutLock({ connectionString: TEST_DATABASE_URL, namespace: ledger, pollMs: 100 });
  const deliverer = new Deliverer({
    store,
    platforms: { telegram, discord },
    policy: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 100 },
    lock,
    // One destination at a time: a fan-out is "part-way" for as long as one send hangs.
    concurrency: { telegram: 1, discord: 1 },
    sleep: async () => undefined,
  });
  const fanout = new Fanout({ library, digests: testDigests, store, deliverer });
  const details: string[] = [];
  const health = new ServiceHealth();
  const set = health.set.bind(health);
  health.set = (component, ready, detail) => {
    if (component === 'fanout.telegram' && details.at(-1) !== detail) details.push(detail ?? '');
    set(component, ready, detail);
  };
  const metrics = new BotMetrics({ listSubscriptions: async () => [], defaultMetrics: false });
  const coordinator = new FanoutCoordinator({
    connectionString: TEST_DATABASE_URL,
    schema: boss,
    fanout,
    store,
    library,
    config: { schedule: '0 9 * * *', timezone: 'UTC' },
    platforms: ['telegram', 'discord'],
    lock,
    timing: FAST,
    ...(now ? { now } : {}),
    isStopping: () => deliverer.isStopping,
    health,
    metrics,
  });
  await coordinator.start();
  const instance: Instance = { name, telegram, discord, store, lock, deliverer, coordinator, health, metrics, details };
  running.push(instance);
  return instance;
}

async function stopInstance(instance: Instance): Promise<void> {
  instance.deliverer.stop();
  instance.cleanup?.();
  await instance.coordinator.stop();
  await instance.lock.close();
  await instance.store.close();
}

afterEach(async () => {
  for (const instance of running.splice(0)) await stopInstance(instance);
}, 60_000);
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

async function setUp(destinations: number): Promise<{ ledger: string; boss: string; library: MemoryLibrary; chats: Destination[] }> {
  const ledger = uniqueSchema('coord');
  const boss = uniqueSchema('boss');
  schemas.push(ledger, boss);
  // Published long before the last 09:00 UTC: every subscription below missed it.
  const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T00:00:00Z'));
  const past = new Date('2026-01-01T00:00:00Z');
  const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema: ledger, now: () => past, maxConnections: 1 });
  const chats: Destination[] = [];
  for (let i = 1; i <= destinations; i++) {
    const d: Destination = { platform: 'telegram', chatId: `-10${i}`, threadId: null };
    await seed.subscribe({ ...d, subscribedBy: 'test' });
    chats.push(d);
  }
  await seed.close();
  return { ledger, boss, library, chats };
}

function deliveredCount(instances: Instance[], chatId: string): number {
  return instances.reduce((n, i) => n + i.telegram.deliveredTo(chatId), 0);
}

describe.runIf(enabled)('FanoutCoordinator (pg-boss + per-platform lock)', () => {
  it('runs a fan-out job on exactly one of two instances, each destination once', { timeout: 60_000 }, async () => {
    const { ledger, boss, library, chats } = await setUp(6);
    const a = await startInstance('a', ledger, boss, library);
    const b = await startInstance('b', ledger, boss, library);
    // Nothing to send yet (the platform has not started here): readiness says idle (issue 18 §14).
    expect(a.health.get('fanout.telegram')?.detail).toBe('idle');
    a.coordinator.platformStarted('telegram');
    b.coordinator.platformStarted('telegram');
    await vi.waitFor(() => expect(chats.every((c) => deliveredCount([a, b], c.chatId) === 1)).toBe(true), { timeout: 30_000, interval: 100 });
    // Let the other instance's own catch-up job run too: still nothing twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const c of chats) expect(deliveredCount([a, b], c.chatId)).toBe(1);
    const senders = [a, b].filter((i) => i.telegram.delivered.length > 0);
    expect(senders).toHaveLength(1);
    // Readiness said what each instance was doing; the gauge is 1 only while sending.
    const [sender] = senders;
    const idler = sender === a ? b : a;
    expect(sender!.details).toContain('sending twitter_ai_20260103_20260103 (catch-up)');
    // Each start enqueued its own catch-up job: the idler may have run one, with nothing left to send.
    expect(idler.telegram.attempts).toHaveLength(0);
    await vi.waitFor(() => expect([sender!.details.at(-1), idler.details.at(-1)]).toEqual(['idle', 'idle']), { timeout: 15_000, interval: 100 });
    const gauge = async (i: Instance): Promise<string | undefined> =>
      (await i.metrics.exposition()).body.split('\n').find((line) => line.startsWith('digest_fanout_active{platform="telegram"}'));
    expect(await gauge(sender!)).toBe('digest_fanout_active{platform="telegram"} 0');
    expect(await gauge(idler)).toBe('digest_fanout_active{platform="telegram"} 0');
  });

  it('takes over a fan-out whose instance died part-way and finishes it from the ledger', { timeout: 60_000 }, async () => {
    const { ledger, boss, library, chats } = await setUp(6);
    const a = await startInstance('a', ledger, boss, library);
    // A's third send never returns: A "dies" there (its lock connection is killed below).
    let unhang: () => void = () => undefined;
    a.telegram.script('-103', { hang: new Promise<void>((resolve) => (unhang = resolve)) });
    // Whatever happens below, the "dead" A is let go at the end (stopped first: it sends nothing more).
    a.cleanup = () => unhang();
    a.coordinator.platformStarted('telegram');
    await vi.waitFor(() => expect(a.telegram.attempts.length).toBe(3), { timeout: 30_000, interval: 50 });
    const b = await startInstance('b', ledger, boss, library);
    b.coordinator.platformStarted('telegram');
    // B must not send while A holds telegram, however long A's fan-out takes.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(b.telegram.attempts).toHaveLength(0);

    // The kill: the server ends A's lock session, as it does when A's process is SIGKILLed.
    const killedAt = Date.now();
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    expect(a.health.get('fanout.telegram')?.detail).toBe('sending twitter_ai_20260103_20260103 (catch-up)');
    expect((await a.metrics.exposition()).body).toContain('digest_fanout_active{platform="telegram"} 1');
    await admin.query('SELECT pg_terminate_backend($1)', [await a.lock.backendPid()]);
    await admin.end();

    await vi.waitFor(() => expect(chats.every((c) => deliveredCount([a, b], c.chatId) === 1)).toBe(true), { timeout: 30_000, interval: 50 });
    console.info(`[fanout-coordinator] kill → all delivered by the other instance in ${Date.now() - killedAt} ms`);
    // What A delivered before dying is not sent again; B sent the rest, the one A hung on included.
    expect(a.telegram.delivered.map((r) => r.destination.chatId)).toEqual(['-101', '-102']);
    expect(b.telegram.delivered.map((r) => r.destination.chatId).sort()).toEqual(['-103', '-104', '-105', '-106']);
    expect(b.details).toContain('sending twitter_ai_20260103_20260103 (catch-up)');
    // A's job is taken over and completed (B may first have run its own start's catch-up job),
    // not left for pg-boss's expiry hours later.
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await vi.waitFor(
        async () => {
          const { rows } = await client.query(`SELECT state FROM ${boss}.job WHERE name = $1`, [queueOf('telegram')]);
          expect(rows.map((r: { state: string }) => r.state)).not.toContain('active');
          expect(b.lock.holds('telegram')).toBe(false);
        },
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      await client.end();
    }
    for (const c of chats) expect(deliveredCount([a, b], c.chatId)).toBe(1);
  });

  it('a second start within the same minute still catches up (each start enqueues its own catch-up job)', { timeout: 60_000 }, async () => {
    const { ledger, boss, library, chats } = await setUp(2);
    // Both starts in the same minute, half an hour after the 09:00 due time (past the tick's window).
    const at = (): Date => new Date('2026-01-03T09:30:00Z');
    const first = await startInstance('first', ledger, boss, library, at);
    first.coordinator.platformStarted('telegram');
    await vi.waitFor(() => expect(chats.every((c) => first.telegram.deliveredTo(c.chatId) === 1)).toBe(true), { timeout: 30_000, interval: 100 });
    await stopInstance(running.splice(running.indexOf(first), 1)[0]!);
    // Between the two starts a chat subscribed that missed 09:00 (as one restored from a backup would).
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema: ledger, now: () => new Date('2026-01-01T00:00:00Z'), maxConnections: 1 });
    await seed.subscribe({ platform: 'telegram', chatId: '-300', threadId: null, subscribedBy: 'test' });
    await seed.close();
    const second = await startInstance('second', ledger, boss, library, at);
    second.coordinator.platformStarted('telegram');
    await vi.waitFor(() => expect(second.telegram.deliveredTo('-300')).toBe(1), { timeout: 30_000, interval: 100 });
    for (const c of chats) expect(second.telegram.deliveredTo(c.chatId)).toBe(0);
  });

  it('answers /repost from one instance with the fan-out another instance runs', { timeout: 60_000 }, async () => {
    const { ledger, boss, library, chats } = await setUp(3);
    const a = await startInstance('a', ledger, boss, library);
    const b = await startInstance('b', ledger, boss, library);
    // Only B has telegram started: A's /repost must be run by B.
    b.coordinator.platformStarted('telegram');
    await vi.waitFor(() => expect(b.telegram.delivered).toHaveLength(3), { timeout: 30_000, interval: 100 });
    const outcome = await a.coordinator.repost({ slug: 'twitter_ai_20260103_20260103', target: chats[0]!, requestedBy: 'owner' });
    expect(outcome).toEqual({ delivered: 1, failed: 0, deactivated: 0, errors: [] });
    expect(a.telegram.attempts).toHaveLength(0);
    expect(b.telegram.deliveredTo('-101')).toBe(2);
  });

  it('enqueues each due time once per platform however many instances tick, per subscription schedule', { timeout: 60_000 }, async () => {
    const { ledger, boss, library } = await setUp(1);
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema: ledger, maxConnections: 1 });
    // 17:00 in Shanghai is 09:00 UTC, due with the global schedule; 09:00 in Berlin (08:00 UTC) is not.
    await seed.subscribe({ platform: 'telegram', chatId: '-200', threadId: null, subscribedBy: 'test', timeOfDay: '17:00', timezone: 'Asia/Shanghai' });
    await seed.subscribe({ platform: 'telegram', chatId: '-201', threadId: null, subscribedBy: 'test', timeOfDay: '09:00', timezone: 'Europe/Berlin' });
    await seed.close();
    const at = (): Date => new Date('2026-01-05T09:01:00Z');
    const a = await startInstance('a', ledger, boss, library, at);
    const b = await startInstance('b', ledger, boss, library, at);
    await a.coordinator.tick();
    await b.coordinator.tick();
    await a.coordinator.tick();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT name, data FROM ${boss}.job WHERE data->>'kind' = 'due' ORDER BY name, data->>'dueAt'`);
    await client.end();
    const jobs = rows.map((r: { name: string; data: { schedule: { kind: string; timeOfDay?: string }; dueAt: string } }) =>
      `${r.name} ${r.data.schedule.kind}${r.data.schedule.timeOfDay ? ` ${r.data.schedule.timeOfDay}` : ''} ${r.data.dueAt}`,
    );
    expect(jobs.sort()).toEqual([
      'digest-fanout-discord cron 2026-01-05T09:00:00.000Z',
      'digest-fanout-discord daily 17:00 2026-01-05T09:00:00.000Z',
      'digest-fanout-telegram cron 2026-01-05T09:00:00.000Z',
      'digest-fanout-telegram daily 17:00 2026-01-05T09:00:00.000Z',
    ]);
  });
});

describe('FanoutCoordinator without a reachable server', () => {
  it('refuses to start with one line naming pg-boss, its schema and the URL without its password', async () => {
    const coordinator = new FanoutCoordinator({
      connectionString: 'postgres://bot:s3cret@127.0.0.1:1/digest',
      schema: 'pgboss_test',
      fanout: {} as Fanout,
      store: {} as PostgresStore,
      library: new MemoryLibrary(),
      config: { schedule: '0 9 * * *', timezone: 'UTC' },
      platforms: ['telegram'],
      lock: new PostgresFanoutLock({ connectionString: 'postgres://bot:s3cret@127.0.0.1:1/digest' }),
    });
    const error = await coordinator.start().then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).toBe('DigestError');
    expect(error?.message).toMatch(/^pg-boss \(schema pgboss_test\) could not start on postgres:\/\/bot@127\.0\.0\.1:1\/digest: /);
    expect(error?.message).not.toContain('s3cret');
    expect(error?.message).not.toContain('\n');
  });
});
