import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, botArgs, ROOT_DIR, mountTmpfs, spawnNode, unmount, type NodeChild } from '../helpers/child-process.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';

/**
 * The running bot (`npm start`'s entry, a real child process) with its database on a small tmpfs
 * that fills up before a due time: the due post sends nothing, the owners hear of it, the bot keeps
 * running, and once space is back the post goes out to each chat exactly once. Needs root with
 * permission to mount; skipped elsewhere (tests/delivery/ledger-faults.test.ts and
 * tests/delivery/due-retry.test.ts cover the same with the error injected).
 */

const OWNER = 7301;
const CHATS = [7311, 7312, 7313];

const tmp = mkdtempSync(path.join(tmpdir(), 'disk-full-bot-'));
const mountPoint = path.join(tmp, 'data');
mkdirSync(mountPoint);
const mounted = mountTmpfs(mountPoint, '4m');

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${bot?.stderr().split('\n').slice(-15).join('\n') ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let telegram: FakeTelegram | null = null;
let bot: NodeChild | null = null;
afterAll(async () => {
  if (bot && !bot.exited()) {
    bot.kill('SIGKILL');
    await bot.exit;
  }
  await telegram?.close();
  if (mounted) unmount(mountPoint);
  rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!mounted)('the disk holding the database fills up before a due time (real tmpfs, real process)', () => {
  it('sends nothing while full, tells the owners, keeps running, and then delivers each chat once', async () => {
    telegram = await startFakeTelegram();
    for (const id of [OWNER, ...CHATS]) telegram.addChat({ id, type: 'private' });
    const contentDir = path.join(tmp, 'content');
    mkdirSync(contentDir);
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        wordcloud: { enabled: false, cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 },
        // A due time every two seconds (node-cron's seconds field).
        schedule: '*/2 * * * * *',
        ownerChat: { telegram: String(OWNER) },
        delivery: { maxAttempts: 2, backoffBaseMs: 10, backoffCapMs: 50, reportSettleMs: 0, maxReportAgeDays: 36500 },
      }),
    );
    const env = {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: path.join(mountPoint, 'bot.db'),
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    };
    bot = spawnNode(botArgs(), env);
    await until('the bot to start', () => bot!.stderr().includes('"event":"scheduler.started"'));
    for (const id of CHATS) {
      const add = spawnNode([BIN, 'subs', 'add', 'telegram', String(id)], env);
      expect(await add.exit, add.stderr()).toBe(0);
    }

    // The disk fills up; then the day's report appears and the due times come.
    try {
      writeFileSync(path.join(mountPoint, 'filler'), Buffer.alloc(16 * 1024 * 1024));
    } catch {
      // ENOSPC: full, as intended.
    }
    copyFileSync(path.join(ROOT_DIR, 'content', 'twitter_ai_20260103_20260103.md'), path.join(contentDir, 'twitter_ai_20260103_20260103.md'));
    const toOwner = () => telegram!.sent.filter((m) => m.chatId === OWNER).map((m) => m.plainText ?? '');
    await until('the owner notice', () => toOwner().some((t) => t.includes('cannot record deliveries')));
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few more due times while full
    expect(telegram.sent.filter((m) => CHATS.includes(Number(m.chatId)))).toEqual([]);
    expect(bot.exited()).toBe(false);
    const errors = bot.stderr().split('\n').filter((l) => l.includes('"event":"ledger.unavailable"'));
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 'error', reason: expect.stringMatching(/the disk is full|ENOSPC/) });

    // Space is freed: the next due time delivers, once per chat, and the owners hear it works again.
    rmSync(path.join(mountPoint, 'filler'));
    const texts = (id: number) => telegram!.sent.filter((m) => Number(m.chatId) === id).length;
    await until('every chat to get the digest', () => CHATS.every((id) => texts(id) > 0));
    await until('the owner notice that it records again', () => toOwner().some((t) => t.includes('records deliveries again')));
    const counts = CHATS.map(texts);
    await new Promise((resolve) => setTimeout(resolve, 4000)); // two more due times
    expect(CHATS.map(texts)).toEqual(counts);
    expect(new Set(counts).size).toBe(1);

    bot.kill('SIGTERM');
    expect(await bot.exit).toBe(0);
  }, 90_000);
});
