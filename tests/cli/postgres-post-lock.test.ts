import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { PostgresFanoutLock } from '../../src/backend/postgres/postgres-fanout-lock.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { postProject, tempRoot } from './post-helpers.ts';

// `digest post` with DATABASE_URL takes the per-platform PostgreSQL lock the bot's instances take:
// while an instance sends Telegram, it waits (and says so), then sends.
const enabled = await runPostgresTests('postgres-post-lock');
const GROUP = -2_301;
const schema = uniqueSchema('digest_postlock');
const bossSchema = uniqueSchema('boss_postlock');
const root = tempRoot('digest-pg-post-lock-');
let telegram: FakeTelegram;

beforeAll(async () => {
  if (!enabled) return;
  telegram = await startFakeTelegram();
  telegram.addChat({ id: GROUP, type: 'group', title: 'g' });
});
afterAll(async () => {
  await telegram?.close();
  rmSync(root, { recursive: true, force: true });
  if (enabled) await dropSchema(schema);
});

describe.runIf(enabled)('digest post on PostgreSQL', () => {
  it('waits while an instance holds the Telegram fan-out lock, then posts', async () => {
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema });
    await seed.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    const p = postProject(root, 'pglock', { telegram });
    p.env['DATABASE_URL'] = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    p.env['PGBOSS_SCHEMA'] = bossSchema;

    // "An instance sending Telegram": the lock as the bot takes it (namespace: the pg-boss schema).
    const instance = new PostgresFanoutLock({ connectionString: TEST_DATABASE_URL, namespace: bossSchema });
    const release = await instance.acquire('telegram');
    try {
      let stderr = '';
      const posting = runCli(['post', '--platform', 'telegram'], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: p.env, cwd: p.dir });
      const deadline = Date.now() + 30_000;
      while (!stderr.includes('waiting for a delivery in progress') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(stderr).toContain('waiting for a delivery in progress (another instance sending telegram)');
      // Still waiting a moment later, nothing sent.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(telegram.sent.filter((m) => m.chatId === GROUP)).toEqual([]);
      const releasedAt = Date.now();
      release();
      expect(await posting, stderr).toBe(0);
      const sent = telegram.sent.filter((m) => m.chatId === GROUP);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((m) => m.time >= releasedAt)).toBe(true);
    } finally {
      await instance.close();
    }
  }, 60_000);
});
