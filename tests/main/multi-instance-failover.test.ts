import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { NEWEST_SLUG } from '../helpers/crash-harness.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../helpers/fake-telegram.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { ROOT_DIR, SCHEDULER_STARTED, startBot, waitForLog, type BotProcess } from './bot-process-helpers.ts';

/**
 * Two `npm start` processes on one PostgreSQL database (ledger and pg-boss in schemas of this
 * run's own) and one fake Telegram: the start-up catch-up to many chats is sent by one of them;
 * SIGKILL that one part-way and the other finishes it from the ledger, every chat ends with the
 * whole digest, and Telegram repeats no more than the messages in flight at the kill.
 */
const enabled = await runPostgresTests('multi-instance-failover');
const CHATS = Array.from({ length: 120 }, (_, i) => 8_200_001 + i);
const KILL_AFTER = 60;
const schema = uniqueSchema('digest_multi');
const bossSchema = uniqueSchema('boss_multi');
let tmp: string;
let telegram: FakeTelegram;
const bots: BotProcess[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'multi-instance-'));
  if (!enabled) return;
  telegram = await startFakeTelegram();
  for (const id of CHATS) telegram.addChat({ id, type: 'private' });
});
afterAll(async () => {
  for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exit));
  await telegram?.close();
  if (enabled) {
    await dropSchema(schema);
    await dropSchema(bossSchema);
  }
  rmSync(tmp, { recursive: true, force: true });
});

/** Message ids the ledger knows for the newest report (recorded parts and delivered rows). */
async function ledgerIds(client: pg.Client): Promise<Set<string>> {
  const ids = new Set<string>();
  const rows = await client.query<{ message_ids: string }>(`SELECT message_ids FROM "${schema}".deliveries WHERE slug = $1`, [NEWEST_SLUG]);
  for (const row of rows.rows) for (const id of JSON.parse(row.message_ids) as string[]) ids.add(String(id));
  const parts = await client.query<{ message_id: string }>(`SELECT message_id FROM "${schema}".delivery_parts`);
  for (const row of parts.rows) ids.add(row.message_id);
  return ids;
}

describe.runIf(enabled)('two bot instances on one PostgreSQL database', () => {
  it('the sender is SIGKILLed part-way: the other finishes the fan-out from the ledger', async () => {
    const contentDir = path.join(tmp, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const configFile = path.join(tmp, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 },
        schedule: '0 0 * * *',
        timezone: 'UTC',
        delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50 },
      }),
    );
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema, now: () => twoDaysAgo });
    for (const id of CHATS) await seed.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    const url = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const env = {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: url,
      PGBOSS_SCHEMA: bossSchema,
      DATABASE_PATH: path.join(tmp, 'data', 'unused.db'),
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    };
    const ours = new Set(CHATS);
    const accepted = (): SentMessage[] => telegram.sent.filter((m) => ours.has(m.chatId));

    // The fake tells the moment it has accepted KILL_AFTER messages: the sender is killed right
    // then (synchronously: the message just accepted is in flight, its answer never arrives).
    let killedAt = 0;
    let victim: BotProcess | null = null;
    let acceptedAtKill = 0;
    telegram.afterAccept = () => {
      if (killedAt !== 0 || accepted().length < KILL_AFTER) return;
      victim = bots.find((b) => b.stderr().includes('"event":"fanout.lock_taken"')) ?? null;
      if (!victim) return;
      killedAt = Date.now();
      acceptedAtKill = accepted().length;
      victim.child.kill('SIGKILL');
    };
    bots.push(startBot(env), startBot(env));
    for (const bot of bots) {
      await waitForLog(bot, SCHEDULER_STARTED, 60_000);
    }
    const deadline = Date.now() + 90_000;
    while (killedAt === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(killedAt, `no kill: ${bots.map((b) => b.stderr().slice(-2000)).join('\n---\n')}`).not.toBe(0);
    telegram.afterAccept = null;
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      // What the ledger knew at the kill (the survivor needs the lock and a plan before it sends).
      const known = await ledgerIds(client);
      const inFlight = accepted()
        .slice(0, acceptedAtKill)
        .filter((m) => !known.has(String(m.messageId))).length;
      const survivor = bots.find((b) => b !== victim)!;
      // Within 30 s of the kill every chat has its delivered row.
      let delivered = 0;
      while (Date.now() - killedAt < 30_000) {
        const { rows } = await client.query<{ n: string }>(
          `SELECT COUNT(*) AS n FROM "${schema}".deliveries WHERE slug = $1 AND status = 'delivered'`,
          [NEWEST_SLUG],
        );
        delivered = Number(rows[0]?.n ?? 0);
        if (delivered === CHATS.length) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const finishedAt = Date.now();
      expect(delivered, survivor.stderr().slice(-3000)).toBe(CHATS.length);
      expect(survivor.stderr()).toMatch(/"event":"fanout\.(takeover|lock_taken)"/);

      const all = accepted();
      const firstAfter = all.find((m) => m.time > killedAt + 200);
      console.info(
        `[multi-instance-failover] kill after ${acceptedAtKill} messages; in flight ${inFlight}; first send by the other instance ${firstAfter ? firstAfter.time - killedAt : '?'} ms after the kill; all delivered ${finishedAt - killedAt} ms after`,
      );
      // Every chat has every part of the digest; repeats are bounded by what was in flight.
      const parts = new Map<number, Map<string, number>>(CHATS.map((id) => [id, new Map()]));
      for (const m of all) {
        const key = `${m.method}|${m.text ?? ''}`;
        const seen = parts.get(m.chatId)!;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
      const allParts = new Set([...parts.values()].flatMap((p) => [...p.keys()]));
      expect(CHATS.filter((id) => parts.get(id)!.size < allParts.size)).toEqual([]);
      const repeats = [...parts.values()].reduce((n, p) => n + [...p.values()].reduce((k, c) => k + c - 1, 0), 0);
      expect(repeats).toBeLessThanOrEqual(inFlight);
    } finally {
      await client.end();
    }
  }, 180_000);
});
