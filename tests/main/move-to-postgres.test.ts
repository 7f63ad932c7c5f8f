import { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { until } from '../helpers/until.ts';
import { ROOT_DIR, SCHEDULER_STARTED, startBot, stopBot, waitForLog, type BotProcess } from './bot-process-helpers.ts';

/**
 * The operator's move (README, "Moving a SQLite bot onto PostgreSQL"): a bot on SQLite delivers,
 * is stopped, `digest db copy` moves its rows, and it starts on PostgreSQL: nothing already
 * delivered goes out again, and the next report reaches exactly the active subscriptions.
 */
const enabled = await runPostgresTests('move-to-postgres');
const A = -1007401;
const B = -1007402;
const GONE = -1007403;
const schema = uniqueSchema('digest_move');
const bossSchema = uniqueSchema('boss_move');
const chat = (id: number): Destination => ({ platform: 'telegram', chatId: String(id), threadId: null });
let tmp: string;
let telegram: FakeTelegram;
let bot: BotProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'move-to-postgres-'));
  if (!enabled) return;
  telegram = await startFakeTelegram();
  for (const id of [A, B, GONE]) telegram.addChat({ id, type: 'supergroup', title: `group ${id}` });
});
afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  await telegram?.close();
  if (enabled) {
    await dropSchema(schema);
    await dropSchema(bossSchema);
  }
  rmSync(tmp, { recursive: true, force: true });
});

async function delivered(open: () => Promise<Store>, slug: string, ids: number[]): Promise<void> {
  const store = await open();
  try {
    await until(`${slug} delivered to ${ids.join(', ')}`, async () => {
      const rows = await Promise.all(ids.map((id) => store.getDelivery(slug, chat(id), 'scheduled')));
      return rows.every((row) => row?.status === 'delivered');
    }, 60_000);
  } finally {
    await store.close();
  }
}

const chatsOf = (messages: FakeTelegram['sent']) => [...new Set(messages.map((m) => m.chatId))].sort();

describe.runIf(enabled)('moving a SQLite bot onto PostgreSQL', () => {
  it('subscribe on SQLite, deliver, copy, start on PostgreSQL: nothing re-sent; the next report reaches exactly the active subscriptions', async () => {
    const contentDir = path.join(tmp, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const entries = (await ReportLibrary.open(contentDir)).entries();
    const [next, current] = [entries[0]!, entries[1]!];
    // The newest report is held back: it is "the next report", published after the move.
    const heldBack = path.join(tmp, path.basename(next.file));
    renameSync(next.file, heldBack);
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds') }, schedule: '0 0 * * *', delivery: { maxReportAgeDays: 36_500 } }));
    const databasePath = path.join(tmp, 'data', 'digest.db');
    const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.apiRoot, CONTENT_DIR: contentDir, DIGEST_CONFIG: configFile, LOG_LEVEL: 'info' };
    const failWithLog = (error: unknown): never => {
      throw new Error(`${String(error)}\n${bot?.stderr().slice(-3000)}`);
    };

    // 1. On SQLite: two active subscriptions and one unsubscribed; the start-up catch-up delivers.
    const seed = await SqliteStore.open(databasePath, { now: () => new Date('2026-01-01T00:00:00Z') });
    for (const id of [A, B, GONE]) await seed.subscribe({ ...chat(id), subscribedBy: 'cli' });
    await seed.unsubscribe(chat(GONE), 'unsubscribed by cli');
    await seed.close();
    bot = startBot({ ...env, DATABASE_PATH: databasePath });
    await waitForLog(bot, SCHEDULER_STARTED, 60_000).catch(failWithLog);
    await delivered(() => SqliteStore.open(databasePath), (await (await ReportLibrary.open(contentDir)).latest())!.slug, [A, B]).catch(failWithLog);
    expect((await stopBot(bot)).code).toBe(0);
    expect(chatsOf(telegram.sent)).toEqual([A, B].sort());
    const sentOnSqlite = telegram.sent.length;

    // 2. The move (into a schema of this test's own, standing for the operator's database).
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.end();
    const io: CliIo = { stdout: () => undefined, stderr: (t) => process.stderr.write(t), env: {}, cwd: ROOT_DIR };
    expect(await runCli(['db', 'copy', databasePath, url], io)).toBe(0);

    // 3. On PostgreSQL, same content: the catch-up finds the report already delivered.
    bot = startBot({ ...env, DATABASE_URL: url, PGBOSS_SCHEMA: bossSchema, DATABASE_PATH: path.join(tmp, 'unused', 'bot.db') });
    await waitForLog(bot, '"event":"fanout.job_done","platform":"telegram"', 90_000).catch(failWithLog);
    expect(telegram.sent.length).toBe(sentOnSqlite);
    expect((await stopBot(bot)).code).toBe(0);

    // 4. The next report is published; the bot on PostgreSQL sends it to the active subscriptions only.
    renameSync(heldBack, next.file);
    bot = startBot({ ...env, DATABASE_URL: url, PGBOSS_SCHEMA: bossSchema, DATABASE_PATH: path.join(tmp, 'unused', 'bot.db') });
    await waitForLog(bot, '"event":"fanout.job_done","platform":"telegram"', 90_000).catch(failWithLog);
    const afterMove = telegram.sent.slice(sentOnSqlite);
    expect(chatsOf(afterMove)).toEqual([A, B].sort());
    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    try {
      const rows = await store.listDeliveries({ slug: next.slug });
      expect(rows.map((r) => [Number(r.chatId), r.status]).sort()).toEqual([[A, 'delivered'], [B, 'delivered']].sort());
      // The report delivered on SQLite kept its one row per chat and its message ids.
      const old = await store.listDeliveries({ slug: current.slug });
      expect(old.map((r) => [Number(r.chatId), r.status, r.attempts])).toEqual(expect.arrayContaining([[A, 'delivered', 1], [B, 'delivered', 1]]));
    } finally {
      await store.close();
    }
    expect((await stopBot(bot)).code).toBe(0);
    expect(bot.stderr()).not.toContain('"level":50');
  }, 300_000);
});
