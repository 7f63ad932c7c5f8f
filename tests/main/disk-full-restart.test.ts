import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { mountTmpfs, unmount } from '../helpers/child-process.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../helpers/fake-telegram.ts';
import { until } from '../helpers/until.ts';
import { ROOT_DIR, startBot, type BotProcess } from './bot-process-helpers.ts';

/**
 * Issue 16 §6, the operator's natural sequence: the disk holding the SQLite database fills up in
 * the middle of the start-up fan-out to 40 Telegram chats (a real tmpfs), the operator frees space
 * and restarts the bot at once (SIGTERM, then `npm start`). The outcomes held while the disk was
 * full are written at the stop, so the restart repeats nothing. Needs root with permission to
 * mount; skipped elsewhere (tests/delivery/outcome-journal.test.ts covers it with the error injected).
 */
const NEWEST_SLUG = 'twitter_ai_20260122_20260122';
const CHATS = Array.from({ length: 40 }, (_, i) => 1_730_001 + i);

const tmp = mkdtempSync(path.join(tmpdir(), 'disk-full-restart-'));
const mountPoint = path.join(tmp, 'data');
mkdirSync(mountPoint);
const mounted = mountTmpfs(mountPoint, '4m');
const filler = path.join(mountPoint, 'filler');

let telegram: FakeTelegram | null = null;
const bots: BotProcess[] = [];
afterAll(async () => {
  for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((bot) => bot.exit));
  await telegram?.close();
  if (mounted) unmount(mountPoint);
  rmSync(tmp, { recursive: true, force: true });
});

function undelivered(dbPath: string): number {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM deliveries WHERE slug = ? AND status = 'delivered'").get(NEWEST_SLUG) as { n: number };
    return CHATS.length - row.n;
  } finally {
    db.close();
  }
}

const repeats = (messages: readonly SentMessage[]): number =>
  messages.length - new Set(messages.map((m) => `${m.chatId}|${m.method}|${m.text ?? ''}`)).size;

describe.skipIf(!mounted)('disk full mid-fan-out, space freed, restart at once (real tmpfs, real process)', () => {
  it('repeats nothing after the restart', async () => {
    const fake = await startFakeTelegram({ enforceRateLimits: true });
    telegram = fake;
    for (const id of CHATS) fake.addChat({ id, type: 'private' });
    const contentDir = path.join(tmp, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        wordcloud: { enabled: false, cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 },
        schedule: '0 0 * * *',
        timezone: 'UTC',
        delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, reportSettleMs: 0, maxReportAgeDays: 36_500 },
      }),
    );
    const dbPath = path.join(mountPoint, 'bot.db');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const seed = await SqliteStore.open(dbPath, { now: () => twoDaysAgo });
    for (const id of CHATS) await seed.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    const env = {
      TELEGRAM_BOT_TOKEN: fake.token,
      TELEGRAM_API_ROOT: fake.apiRoot,
      DATABASE_PATH: dbPath,
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    };
    const ours = new Set(CHATS);
    const accepted = (): SentMessage[] => fake.sent.filter((m) => ours.has(m.chatId));

    const first = startBot(env);
    bots.push(first);
    const tail = (bot: BotProcess) => () => bot.stderr().slice(-3000);
    // The disk fills up the moment the 12th message is accepted, sends in flight included.
    fake.afterAccept = () => {
      if (accepted().length !== 12) return;
      try {
        writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
      } catch {
        // ENOSPC: full, as intended.
      }
    };
    await until('the ledger to refuse a write', () => first.stderr().includes('"event":"ledger.unavailable"') || null, 90_000, tail(first));
    let last = -1;
    await until('the sends to stop', async () => {
      const now = accepted().length;
      const quiet = now === last;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 500));
      return quiet || null;
    }, 60_000, tail(first));
    fake.afterAccept = null;
    const beforeRestart = accepted().length;

    // The operator frees space and restarts the bot straight away.
    rmSync(filler);
    first.child.kill('SIGTERM');
    expect((await first.exit).code, tail(first)()).toBe(0);
    const second = startBot(env);
    bots.push(second);
    await until('every chat delivered', () => undelivered(dbPath) === 0 || null, 120_000, tail(second));
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);

    const count = repeats(accepted());
    console.info(`[disk-full-restart] ${beforeRestart} messages before the restart, ${accepted().length} in all to ${CHATS.length} chats, ${count} repeated`);
    expect(new Set(accepted().map((m) => m.chatId)).size).toBe(CHATS.length);
    expect(count).toBe(0);
  }, 300_000);
});
