import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceLockFile } from '../../src/store/instance-lock.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { ROOT_DIR, runCli, startBot, stopBot, waitUntilServing, type BotProcess } from './bot-process-helpers.ts';

/**
 * One bot per SQLite file: a second `npm start` on the same DATABASE_PATH is refused with one line
 * naming the running bot (it would double the schedule and fight the first over getUpdates), the
 * first keeps running and the `digest` CLI still works beside it; once the first stops, or dies by
 * SIGKILL, a new start succeeds.
 */

const GROUP = -1007400;
let telegram: FakeTelegram;
let tmp: string;
let env: NodeJS.ProcessEnv;
let dbPath: string;
const bots: BotProcess[] = [];

function start(): BotProcess {
  const bot = startBot(env);
  bots.push(bot);
  return bot;
}

const alive = (bot: BotProcess): boolean => bot.child.exitCode === null && bot.child.signalCode === null;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'instance-lock-'));
  const contentDir = path.join(tmp, 'content');
  mkdirSync(contentDir);
  cpSync(path.join(ROOT_DIR, 'content', 'twitter_ai_20260103_20260103.md'), path.join(contentDir, 'twitter_ai_20260103_20260103.md'));
  telegram = await startFakeTelegram();
  telegram.addChat({ id: GROUP, type: 'supergroup', title: 'AI' });
  dbPath = path.join(tmp, 'data', 'bot.db');
  const store = await SqliteStore.open(dbPath);
  await store.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
  await store.close();
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(configFile, JSON.stringify({ wordcloud: { enabled: false, cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 }, schedule: '0 0 1 1 *', delivery: { maxReportAgeDays: 36500 } }));
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATABASE_PATH: dbPath,
    CONTENT_DIR: contentDir,
    DIGEST_CONFIG: configFile,
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const bot of bots) if (alive(bot)) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((bot) => bot.exit));
  await telegram?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('one bot per SQLite database file', () => {
  it('refuses a second start with one line naming the first, which keeps running; the CLI still works beside it', async () => {
    const first = start();
    await waitUntilServing(first, ['telegram']);
    const lock = JSON.parse(readFileSync(instanceLockFile(dbPath), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(first.child.pid);

    const second = start();
    const { code } = await second.exit;
    expect(code).toBe(1);
    const lines = second.stderr().split('\n').filter((line) => line.startsWith('ai-digest-bot:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^ai-digest-bot: another bot is running on ${dbPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${first.child.pid} on host .+, since \\d{4}-\\d\\d-\\d\\dT.+\\); stop it first or use DATABASE_URL for several instances$`),
    );
    // Refused before anything started: no scheduler, no poller of its own.
    expect(second.stderr()).not.toContain('"event":"scheduler.started"');
    expect(second.stderr()).not.toContain('"event":"platform.started"');

    // The first is untouched: still running, still the lock's owner.
    expect(alive(first)).toBe(true);
    expect(JSON.parse(readFileSync(instanceLockFile(dbPath), 'utf8'))).toMatchObject({ pid: first.child.pid });

    // `digest post` takes only the fan-out lock, so it runs beside the bot.
    const before = telegram.sent.filter((m) => m.chatId === GROUP).length;
    const post = await runCli(['post', `--to=${GROUP}`, '--repost'], env);
    expect(post.code, post.stderr).toBe(0);
    expect(telegram.sent.filter((m) => m.chatId === GROUP).length).toBeGreaterThan(before);
    expect(alive(first)).toBe(true);

    const stopped = await stopBot(first);
    expect(stopped.code).toBe(0);
    expect(existsSync(instanceLockFile(dbPath))).toBe(false);
  }, 120_000);

  it('starts again after the first stopped, and after a SIGKILLed bot left its lock behind', async () => {
    const third = start();
    await waitUntilServing(third, ['telegram']);
    third.child.kill('SIGKILL');
    await third.exit;
    // Killed: nothing removed its lock file, which names a dead pid.
    expect(JSON.parse(readFileSync(instanceLockFile(dbPath), 'utf8'))).toMatchObject({ pid: third.child.pid });

    const fourth = start();
    await waitUntilServing(fourth, ['telegram']);
    expect(JSON.parse(readFileSync(instanceLockFile(dbPath), 'utf8'))).toMatchObject({ pid: fourth.child.pid });
    const stopped = await stopBot(fourth);
    expect(stopped.code).toBe(0);
    expect(existsSync(instanceLockFile(dbPath))).toBe(false);
  }, 120_000);
});
