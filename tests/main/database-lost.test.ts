import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceLockFile } from '../../src/store/instance-lock.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { BIN, botArgs, ROOT_DIR, spawnNode, type NodeChild } from '../helpers/child-process.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';

/**
 * The database file deleted under the running bot (a real child process, `npm start`'s entry):
 * it must stop loudly (fatal log, owner notice, non-zero exit) with its data saved, and the CLI
 * must not then open a fresh empty database in its place.
 */

const OWNER = 7201;

let telegram: FakeTelegram;
let tmp: string;
let env: NodeJS.ProcessEnv;
let dbPath: string;
const children: NodeChild[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'db-lost-'));
  const contentDir = path.join(tmp, 'content');
  mkdirSync(contentDir);
  cpSync(path.join(ROOT_DIR, 'content', 'twitter_ai_20260103_20260103.md'), path.join(contentDir, 'twitter_ai_20260103_20260103.md'));
  telegram = await startFakeTelegram();
  telegram.addChat({ id: OWNER, type: 'private' });
  dbPath = path.join(tmp, 'data', 'bot.db');
  const store = await SqliteStore.open(dbPath);
  for (let i = 0; i < 40; i++) await store.subscribe({ platform: 'telegram', chatId: String(-1007200 - i), threadId: null, subscribedBy: 'cli' });
  await store.close();
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { enabled: false, cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 },
      schedule: '0 0 1 1 *',
      ownerChat: { telegram: String(OWNER) },
      delivery: { maxReportAgeDays: 36500 },
    }),
  );
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
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exit));
  await telegram?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the database file deleted while the bot runs', () => {
  it('stops loudly with its data saved, and the CLI then refuses to create an empty database', async () => {
    const bot = spawnNode(botArgs(), env);
    children.push(bot);
    const deadline = Date.now() + 30_000;
    while (!bot.stderr().includes('"event":"scheduler.started"')) {
      if (Date.now() > deadline) throw new Error(`bot not ready:\n${bot.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    unlinkSync(dbPath);

    const code = await bot.exit;
    expect(code).toBe(1);
    expect(existsSync(instanceLockFile(dbPath))).toBe(false);
    const fatal = bot
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"event":"store.file_lost"'));
    expect(fatal).toHaveLength(1);
    expect(JSON.parse(fatal[0]!)).toMatchObject({ level: 'fatal', reason: expect.stringContaining('was deleted') });
    // The owners are told, in their chat.
    expect(telegram.sent.some((m) => m.chatId === OWNER && (m.plainText ?? '').includes('digest bot stopped'))).toBe(true);

    // Nothing lost: the 40 subscriptions are in the rescued copy.
    const rescuedName = readdirSync(path.dirname(dbPath)).find((name) => name.startsWith('bot.db.rescued-'));
    expect(rescuedName).toBeDefined();
    const rescued = await SqliteStore.open(path.join(path.dirname(dbPath), rescuedName!));
    expect(await rescued.listSubscriptions({ activeOnly: true })).toHaveLength(40);
    await rescued.close();

    // The CLI does not quietly start an empty database where the real one was.
    const cli = spawnNode([BIN, 'subs', 'list'], env);
    expect(await cli.exit).toBe(1);
    expect(cli.stderr()).toContain('database file is missing');
    expect(existsSync(dbPath)).toBe(false);
  }, 60_000);
});
