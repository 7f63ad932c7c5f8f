import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { minuteAfter } from '../helpers/multi-instance-harness.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { startTcpProxy, throughProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { exitWithin, ROOT_DIR, startBot, waitForLog, waitUntilServing, type BotProcess } from './bot-process-helpers.ts';
import { until as untilTrue } from '../helpers/until.ts';

/**
 * Waits as `untilTrue`, showing on a timeout every coordination and fan-out line the bot logged
 * (what ran when, which the last few lines alone do not tell) and its last log lines.
 */
const until = <T>(what: string, probe: Parameters<typeof untilTrue<T>>[1], timeoutMs = 30_000): Promise<T> =>
  untilTrue(what, probe, timeoutMs, () => {
    const log = bot?.stderr() ?? '';
    const story = log.split('\n').filter((line) => /"event":"(?:coordination|fanout|store)\./.test(line));
    return `coordination, fan-out and store events:\n${story.join('\n')}\n… last lines:\n${log.slice(-3000)}`;
  });

/**
 * `npm start` on PostgreSQL whose server becomes unreachable (a TCP proxy between them, cut and
 * restored): /readyz turns 503 with the reason, one error line says so, the daily post that fell
 * due meanwhile goes out once the server is back, and an outage longer than
 * DATABASE_OUTAGE_EXIT_SECONDS ends the process with exit code 1 and one line, for the supervisor.
 */
const enabled = await runPostgresTests('postgres-outage-process');
const GROUP = -1007500;
/** The owners' chat: told why the bot stopped. */
const OWNERS = -1007501;
const OUTAGE_EXIT_SECONDS = 8;
const schema = uniqueSchema('digest_outage_bot');
/**
 * pg-boss's own schema: with the default (`pgboss`) this bot shared its job queues with any other
 * test's bot running at the same time (the two CI legs run side by side), which ran its fan-out jobs.
 */
const bossSchema = uniqueSchema('boss_outage_bot');
let tmp: string;
let telegram: FakeTelegram;
let proxy: TcpProxy;
let bot: BotProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'postgres-outage-'));
  if (!enabled) return;
  telegram = await startFakeTelegram();
  telegram.addChat({ id: GROUP, type: 'supergroup', title: 'AI' });
  telegram.addChat({ id: OWNERS, type: 'group', title: 'owners' });
  const target = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  await telegram?.close();
  await proxy?.close();
  if (enabled) {
    await dropSchema(schema);
    await dropSchema(bossSchema).catch(() => undefined);
  }
  rmSync(tmp, { recursive: true, force: true });
});


const countEvents = (event: string): number => (bot?.stderr() ?? '').split('\n').filter((line) => line.includes(`"event":"${event}"`)).length;
/** When the bot last logged an event whose name starts with `prefix` (0 if never). */
const lastEventMs = (prefix: string): number =>
  Math.max(0, ...(bot?.stderr() ?? '').split('\n').filter((line) => line.includes(`"event":"${prefix}`)).map((line) => Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '') || 0));

describe.runIf(enabled)('the bot when its PostgreSQL server goes away', () => {
  it('is not ready while unreachable, catches up the post due meanwhile, and exits 1 when the outage lasts too long', async () => {
    const contentDir = path.join(tmp, 'content');
    mkdirSync(contentDir);
    cpSync(path.join(ROOT_DIR, 'content', 'twitter_ai_20260103_20260103.md'), path.join(contentDir, 'twitter_ai_20260103_20260103.md'));
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    await seed.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    // The daily post is due far away until the bot is serving; then the subscription's time of
    // day is moved to the next whole minute at least 8 s away, so it falls due while the database
    // is cut however long the start took (a loaded machine only makes the test longer).
    const far = new Date(Date.now() + 12 * 3_600_000);
    const schedule = `0 ${far.getUTCMinutes()} ${far.getUTCHours()} * * *`;
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify({ wordcloud: { enabled: false, cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 }, schedule, timezone: 'UTC', ownerChat: { telegram: String(OWNERS) }, delivery: { maxReportAgeDays: 36500 } }));
    const direct = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

    bot = startBot({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: throughProxy(direct, proxy),
      PGBOSS_SCHEMA: bossSchema,
      DATABASE_OUTAGE_EXIT_SECONDS: String(OUTAGE_EXIT_SECONDS),
      DATABASE_PATH: path.join(tmp, 'data', 'bot.db'),
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      HTTP_PORT: '0',
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    await waitUntilServing(bot, ['telegram'], 40_000);
    const port = await until('the http.listening log line', () =>
      bot!.stderr().split('\n').map((line) => /"event":"http\.listening".*"port":(\d+)/.exec(line)?.[1]).find(Boolean),
    );
    const readyz = async (): Promise<{ status: number; body: { components: Record<string, { ready: boolean; detail: string | null }> } }> => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      return { status: response.status, body: (await response.json()) as never };
    };
    expect((await until('/readyz 200', async () => ((await readyz()).status === 200 ? true : null))) === true).toBe(true);
    const dueAt = minuteAfter(8_000);
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`UPDATE "${schema}".subscriptions SET time_of_day = $1, timezone = 'UTC'`, [dueAt.toISOString().slice(11, 16)]);
    } finally {
      await admin.end();
    }
    expect(telegram.sent.filter((m) => m.chatId === GROUP)).toHaveLength(0);

    // Cut a few seconds before the due time; restore right after it, within the outage limit.
    await new Promise((resolve) => setTimeout(resolve, dueAt.getTime() - 3000 - Date.now()));
    proxy.cut();
    await waitForLog(bot, '"event":"store.connection_lost"', 15_000);
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.components['store']).toMatchObject({ ready: false, detail: expect.stringMatching(/^database unreachable for \d+ s: /) });
    // Past the due time, still cut: nothing can go out (the fan-outs are coordinated through the database).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt.getTime() + 1000 - Date.now())));
    expect(telegram.sent.filter((m) => m.chatId === GROUP)).toHaveLength(0);
    proxy.restore();

    await waitForLog(bot, '"event":"store.connection_restored"', 15_000);
    await telegram.waitFor((sent) => sent.some((m) => m.chatId === GROUP), 60_000);
    // The reconnection asked for a catch-up (a pg-boss job, run by whichever instance sends telegram).
    expect(countEvents('store.catch_up')).toBe(1);
    await until('/readyz 200 again', async () => ((await readyz()).status === 200 ? true : null));
    // One error line for the outage, however many queries failed meanwhile.
    expect(countEvents('store.connection_lost')).toBe(1);
    expect(bot.child.exitCode).toBeNull();

    // Every fan-out over and none begun for longer than the job poll (2 s): the cut below finds no
    // fan-out holding the lock, so it is the outage limit that ends the bot (a fan-out holding it
    // would end the bot for the lost lock instead). Which fan-outs ran depends on the machine's
    // speed (the start-up catch-up, retried if it failed; the restore's catch-up; the due time's
    // own job when pg-boss retries the minute's tick after the restore), so only the one that
    // delivered is counted on, and the lock's taking and releasing must balance.
    await until(
      'every fan-out to finish, and none to start for 5 s',
      () => countEvents('fanout.lock_released') >= 1 && countEvents('fanout.lock_taken') === countEvents('fanout.lock_released') && Date.now() - lastEventMs('fanout.') > 5000,
      60_000,
    );

    // Unreachable for longer than the limit: exit 1 with one line, for the supervisor to restart it.
    proxy.cut();
    const exit = await exitWithin(bot, (OUTAGE_EXIT_SECONDS + 30) * 1000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    const lines = bot.stderr().split('\n').filter((line) => line.startsWith('ai-digest-bot:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^ai-digest-bot: database .+ unreachable for longer than ${OUTAGE_EXIT_SECONDS} s \\(database unreachable for \\d+ s: .+\\); exiting so the supervisor restarts the bot$`));
    expect(countEvents('store.connection_gave_up')).toBe(1);
    // The owners were told why, in their chat (the platform still answers; the database does not).
    expect(telegram.sent.filter((m) => m.chatId === OWNERS).map((m) => m.text).filter((text) => text?.startsWith('digest bot stopped: database '))).toHaveLength(1);
  }, 180_000);
});
