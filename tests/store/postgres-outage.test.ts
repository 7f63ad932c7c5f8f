import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import type { DueSchedule } from '../../src/schedule/due-times.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import { Scheduler } from '../../src/delivery/scheduler.ts';
import { createLogger } from '../../src/log.ts';
import { ServiceHealth } from '../../src/service-health.ts';
import { ConnectionWatch } from '../../src/backend/postgres/connection-watch.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { MemoryLibrary, testDigests, testReport } from '../delivery/fixtures.ts';
import { ScriptedPlatform } from '../delivery/scripted-platform.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { startTcpProxy, throughProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

/**
 * The PostgreSQL store when the server goes away: its sessions killed (a server restart,
 * pg_terminate_backend) or unreachable for a while (a TCP proxy cut and restored). Nothing
 * crashes the process, queries work again once the server is back (on new connections), the
 * watch reports the outage once and gives up after its limit, and a scheduled post that fell in
 * the outage goes out after it.
 */
const enabled = await runPostgresTests('postgres-outage');
const schema = uniqueSchema('digest_outage');
const APP = `digest_outage_${process.pid}`;
let proxy: TcpProxy;
const stores: PostgresStore[] = [];

async function open(url: string, applicationName = APP, inSchema = schema): Promise<PostgresStore> {
  const store = await PostgresStore.open(url, { schema: inSchema, applicationName });
  stores.push(store);
  return store;
}

/** Runs `sql` on a connection of its own (not through the proxy). */
async function admin<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const backendsOf = async (app: string): Promise<number[]> =>
  (await admin<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1', [app])).map((r) => r.pid);

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  if (!enabled) return;
  const target = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterEach(async () => {
  proxy?.restore();
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
});
afterAll(async () => {
  await proxy?.close();
  if (enabled) await Promise.all([dropSchema(schema), dropSchema(`${schema}_sched`)]);
});

describe.runIf(enabled)('PostgreSQL sessions killed under the store', () => {
  it('does not crash the process, and the next queries succeed on new connections', async () => {
    const app = `${APP}_kill`;
    const store = await open(TEST_DATABASE_URL, app);
    // Several idle clients in the pool.
    await Promise.all([store.listSubscriptions(), store.listSubscriptions(), store.listSubscriptions()]);
    const before = await backendsOf(app);
    expect(before.length).toBeGreaterThan(0);

    const killed = await admin<{ ok: boolean }>(
      'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1',
      [app],
    );
    expect(killed.length).toBe(before.length);
    await until(async () => (await backendsOf(app)).length === 0, 'the sessions to end');
    // The pool's idle clients got their 'error' (handled) when the server closed them.
    await new Promise((resolve) => setTimeout(resolve, 100));

    await store.subscribe({ platform: 'telegram', chatId: '-1', threadId: null, subscribedBy: 'cli' });
    expect((await store.listSubscriptions()).map((s) => s.chatId)).toContain('-1');
    const after = await backendsOf(app);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]);
  });
});

describe.runIf(enabled)('PostgreSQL unreachable for a while (proxy cut)', () => {
  it('fails queries while cut, without crashing, and works again once restored', async () => {
    const store = await open(throughProxy(TEST_DATABASE_URL, proxy));
    await store.ping();
    const opened = proxy.connections;

    proxy.cut();
    await expect(store.ping()).rejects.toThrow(/database not answering/);
    await expect(store.listSubscriptions()).rejects.toThrow(/cannot list subscriptions/);
    await expect(store.subscribe({ platform: 'telegram', chatId: '-2', threadId: null, subscribedBy: 'cli' })).rejects.toThrow(/cannot save subscription/);

    proxy.restore();
    await store.ping();
    await store.subscribe({ platform: 'telegram', chatId: '-2', threadId: null, subscribedBy: 'cli' });
    expect((await store.listSubscriptions()).map((s) => s.chatId)).toContain('-2');
    expect(proxy.connections).toBeGreaterThan(opened);
  });

  it('the watch logs the outage once, says why while it lasts, sees it end, and gives up after the limit', async () => {
    const store = await open(throughProxy(TEST_DATABASE_URL, proxy));
    const lines: Array<Record<string, unknown>> = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const restored: number[] = [];
    const watch = new ConnectionWatch({ ping: () => store.ping(), logger, outageLimitMs: 1500, intervalMs: 100, onRestored: (ms) => restored.push(ms) });
    watch.start();
    let gaveUp = false;
    void watch.lost.then(() => (gaveUp = true));
    try {
      expect(await watch.check()).toBe(true);
      expect(watch.problem).toBeNull();

      proxy.cut();
      await until(() => watch.problem !== null, 'the outage to be seen');
      expect(watch.problem).toMatch(/^database unreachable for \d+ s: database .*: database not answering: /);
      // A few more failed pings, still one error line.
      await new Promise((resolve) => setTimeout(resolve, 500));
      proxy.restore();
      await until(() => watch.problem === null, 'the database to answer again');
      expect(restored).toHaveLength(1);
      expect(gaveUp).toBe(false);
      const events = lines.map((l) => l['event']);
      expect(events.filter((e) => e === 'store.connection_lost')).toHaveLength(1);
      expect(events.filter((e) => e === 'store.connection_restored')).toHaveLength(1);
      expect(lines.find((l) => l['event'] === 'store.connection_lost')).toMatchObject({ level: 'error' });

      // Cut again and left cut: past the limit the watch gives up, once.
      proxy.cut();
      const outage = await watch.lost;
      expect(outage.problem).toMatch(/^database unreachable for \d+ s: /);
      expect(lines.filter((l) => l['event'] === 'store.connection_gave_up')).toEqual([expect.objectContaining({ level: 'fatal' })]);
      expect(lines.filter((l) => l['event'] === 'store.connection_lost')).toHaveLength(2);
    } finally {
      watch.stop();
    }
  });

  it('a scheduled post due while the database was unreachable goes out once it is back', async () => {
    const store = await open(throughProxy(TEST_DATABASE_URL, proxy), APP, `${schema}_sched`);
    for (const chatId of ['-11', '-12']) await store.subscribe({ platform: 'telegram', chatId, threadId: null, subscribedBy: 'cli' });
    const telegram = new ScriptedPlatform('telegram');
    const health = new ServiceHealth();
    const deliverer = new Deliverer({ store, platforms: { telegram }, policy: { maxAttempts: 3, backoffBaseMs: 1, backoffCapMs: 1 }, health, sleep: async () => undefined });
    const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T14:00:00+08:00'));
    const fanout = new Fanout({ library, digests: testDigests, store, deliverer });
    const config = { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' };
    const scheduler = new Scheduler({ fanout, store, library, config, dueRetry: { baseMs: 50, capMs: 200, maxRetries: 1000 } });
    const due: DueSchedule = { kind: 'cron', expression: config.schedule, timezone: config.timezone };
    try {
      proxy.cut();
      // The due time comes while the server is unreachable: nothing can be claimed, nothing sent.
      await scheduler.tick(due);
      expect(telegram.attempts).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(telegram.attempts).toHaveLength(0);

      proxy.restore();
      await until(() => telegram.delivered.length >= 2, 'the missed post to go out', 20_000);
      expect(telegram.delivered.map((r) => r.destination.chatId).sort()).toEqual(['-11', '-12']);
      // The ledger mark follows the platform's answer: wait for it.
      const statuses = async (): Promise<Array<string | undefined>> =>
        Promise.all(
          ['-11', '-12'].map(async (chatId) => (await store.getDelivery('twitter_ai_20260103_20260103', { platform: 'telegram', chatId, threadId: null }, 'scheduled'))?.status),
        );
      await until(async () => (await statuses()).every((status) => status === 'delivered'), 'both rows recorded as delivered').catch(async (error: unknown) => {
        throw new Error(`${String(error)}: ${JSON.stringify(await statuses())}`);
      });
      // Once: later retries find it delivered.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(telegram.delivered).toHaveLength(2);
    } finally {
      await scheduler.stop();
    }
  });
});
