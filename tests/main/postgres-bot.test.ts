import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportLibrary } from '../../src/report/library.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { ROOT_DIR, SCHEDULER_STARTED, startBot, stopBot, waitForLog, type BotProcess } from './bot-process-helpers.ts';

/**
 * The bot as a process (`npm start`) with DATABASE_URL: it reads its subscriptions from
 * PostgreSQL, delivers the start-up catch-up, records it in the PostgreSQL ledger, and never
 * creates the SQLite file at DATABASE_PATH.
 */
const enabled = await runPostgresTests('postgres-bot');
const TG_GROUP = -1007300;
const schema = uniqueSchema('digest_bot');
// pg-boss's jobs in a schema of this run's own too, so parallel runs never take each other's jobs.
const bossSchema = uniqueSchema('boss_bot');
let tmp: string;
let telegram: FakeTelegram;
let bot: BotProcess | null = null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'postgres-bot-'));
  if (!enabled) return;
  telegram = await startFakeTelegram();
  telegram.addChat({ id: TG_GROUP, type: 'supergroup', title: 'AI 讨论组' });
});
afterAll(async () => {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await bot?.exit;
  await telegram?.close();
  if (enabled) await dropSchema(schema);
  if (enabled) await dropSchema(bossSchema);
  rmSync(tmp, { recursive: true, force: true });
});

describe.runIf(enabled)('the bot on PostgreSQL', () => {
  it('catches up a subscription stored in PostgreSQL and records the delivery there', async () => {
    const contentDir = path.join(tmp, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const newest = (await (await ReportLibrary.open(contentDir)).latest())!;
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema, now: () => new Date('2026-01-01T00:00:00Z') });
    await seed.subscribe({ platform: 'telegram', chatId: String(TG_GROUP), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(configFile, JSON.stringify({ wordcloud: { cacheDir: path.join(tmp, 'wordclouds') }, schedule: '0 0 * * *', delivery: { maxReportAgeDays: 36500 } }));
    const databasePath = path.join(tmp, 'data', 'bot.db');
    const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

    bot = startBot({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: url,
      PGBOSS_SCHEMA: bossSchema,
      DATABASE_PATH: databasePath,
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    });
    await waitForLog(bot, SCHEDULER_STARTED, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${bot?.stderr().slice(-3000)}`);
    });
    await telegram.waitFor((sent) => sent.some((m) => m.chatId === TG_GROUP && m.method === 'sendMessage'), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${bot?.stderr().slice(-3000)}`);
    });

    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    try {
      // The ledger row is written right after the last part: wait for it.
      let row = await store.getDelivery(newest.slug, { platform: 'telegram', chatId: String(TG_GROUP), threadId: null }, 'scheduled');
      for (let i = 0; i < 100 && row?.status !== 'delivered'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        row = await store.getDelivery(newest.slug, { platform: 'telegram', chatId: String(TG_GROUP), threadId: null }, 'scheduled');
      }
      expect(row).toMatchObject({ status: 'delivered' });
      const sentIds = telegram.sent.filter((m) => m.chatId === TG_GROUP).map((m) => String(m.messageId));
      expect(row!.messageIds).toEqual(sentIds);
      expect((await store.listDeliveryParts(row!.id)).map((p) => p.messageId)).toEqual(sentIds);
    } finally {
      await store.close();
    }
    expect(bot.stderr()).not.toContain('"level":50');
    const exit = await stopBot(bot);
    expect(exit.code).toBe(0);
    expect(existsSync(databasePath)).toBe(false);
  }, 120_000);
});
