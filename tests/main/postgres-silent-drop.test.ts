import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { startFakeTelegram, type FakeTelegram, type SentMessage } from '../helpers/fake-telegram.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { startTcpProxy, throughProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { until } from '../helpers/until.ts';
import { ROOT_DIR, startBot, type BotProcess } from './bot-process-helpers.ts';

/**
 * Issue 16 §3: `npm start` on PostgreSQL behind a network that drops every packet silently for
 * 5 s (no reset: the connections open then are dead, and nothing says so) in the middle of its
 * start-up fan-out to 200 Telegram chats. The queries in flight time out
 * (`database.statementTimeoutSeconds`), the pool opens new connections, and a send starts only
 * while at most `delivery.maxUnrecordedSends` (2) are out unrecorded: after recovery nothing is
 * repeated, and a process killed during the drop repeats at most 2 messages at its restart.
 */
const enabled = await runPostgresTests('postgres-silent-drop');
const NEWEST_SLUG = 'twitter_ai_20260122_20260122';
const DROP_MS = 5000;

let telegram: FakeTelegram;
let proxy: TcpProxy;
let tmp: string;
const schemas: string[] = [];
const bots: BotProcess[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'postgres-silent-drop-'));
  if (!enabled) return;
  telegram = await startFakeTelegram({ enforceRateLimits: true });
  const target = new URL(TEST_DATABASE_URL);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
});
afterAll(async () => {
  for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((bot) => bot.exit));
  await telegram?.close();
  await proxy?.close();
  if (enabled) for (const schema of schemas) await dropSchema(schema);
  rmSync(tmp, { recursive: true, force: true });
});

interface Scenario {
  chats: number[];
  env: NodeJS.ProcessEnv;
  schema: string;
  accepted(): SentMessage[];
}

/** 200 chats subscribed two days ago in a schema of their own; the schedule owes each the newest report. */
async function prepare(name: string, firstChat: number): Promise<Scenario> {
  const chats = Array.from({ length: 200 }, (_, i) => firstChat + i);
  for (const id of chats) telegram.addChat({ id, type: 'private' });
  const schema = uniqueSchema(`digest_drop_${name}`);
  const bossSchema = `${schema}_boss`;
  schemas.push(schema, bossSchema);
  const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
  const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema, now: () => twoDaysAgo });
  for (const id of chats) await seed.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
  await seed.close();
  const dir = path.join(tmp, name);
  cpSync(path.join(ROOT_DIR, 'content'), path.join(dir, 'content'), { recursive: true });
  const configFile = path.join(dir, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { enabled: false, cacheDir: path.join(dir, 'wordclouds'), warmRecent: 0 },
      schedule: '0 0 * * *',
      timezone: 'UTC',
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, reportSettleMs: 0, maxReportAgeDays: 36_500 },
      database: { connectTimeoutSeconds: 2, statementTimeoutSeconds: 1 },
    }),
  );
  const direct = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const ours = new Set(chats);
  return {
    chats,
    schema,
    accepted: () => telegram.sent.filter((m) => ours.has(m.chatId)),
    env: {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_URL: throughProxy(direct, proxy),
      PGBOSS_SCHEMA: bossSchema,
      DATABASE_PATH: path.join(dir, 'data', 'bot.db'),
      CONTENT_DIR: path.join(dir, 'content'),
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    },
  };
}

/** Ledger rows of the newest report not yet delivered (read directly, not through the proxy). */
async function undelivered(scenario: Scenario): Promise<number> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM "${scenario.schema}".deliveries WHERE slug = $1 AND status = 'delivered'`,
      [NEWEST_SLUG],
    );
    return scenario.chats.length - Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Messages whose (chat, method, text) a chat had already received. */
function repeats(messages: readonly SentMessage[]): number {
  return messages.length - new Set(messages.map((m) => `${m.chatId}|${m.method}|${m.text ?? ''}`)).size;
}

function start(scenario: Scenario): BotProcess {
  const bot = startBot(scenario.env);
  bots.push(bot);
  return bot;
}

const tail = (bot: BotProcess) => () => bot.stderr().slice(-4000);

describe.runIf(enabled)('PostgreSQL drops every packet silently for 5 s mid-fan-out (200 Telegram chats)', () => {
  it('after recovery the fan-out completes with nothing repeated, and the bot keeps running', async () => {
    const scenario = await prepare('recover', 1_610_001);
    const bot = start(scenario);
    await until('40 messages accepted', () => scenario.accepted().length >= 40 || null, 90_000, tail(bot));
    proxy.dropSilently();
    await new Promise((resolve) => setTimeout(resolve, DROP_MS));
    proxy.forwardAgain();
    await until('every chat delivered', async () => (await undelivered(scenario)) === 0 || null, 180_000, tail(bot));
    const count = repeats(scenario.accepted());
    console.info(`[postgres-silent-drop] recovery: ${scenario.accepted().length} messages to ${scenario.chats.length} chats, ${count} repeated`);
    expect(count).toBeLessThanOrEqual(2);
    expect(new Set(scenario.accepted().map((m) => m.chatId)).size).toBe(scenario.chats.length);
    expect(bot.child.exitCode).toBeNull();
    bot.child.kill('SIGTERM');
    expect((await bot.exit).code).toBe(0);
  }, 300_000);

  it('a process killed during the drop repeats at most 2 messages after its restart', async () => {
    const scenario = await prepare('restart', 1_620_001);
    const first = start(scenario);
    await until('40 messages accepted', () => scenario.accepted().length >= 40 || null, 90_000, tail(first));
    proxy.dropSilently();
    await new Promise((resolve) => setTimeout(resolve, DROP_MS - 500));
    first.child.kill('SIGKILL');
    await first.exit;
    proxy.forwardAgain();
    const before = scenario.accepted().length;
    const second = start(scenario);
    await until('every chat delivered', async () => (await undelivered(scenario)) === 0 || null, 180_000, tail(second));
    const count = repeats(scenario.accepted());
    console.info(
      `[postgres-silent-drop] restart: ${before} messages before the kill, ${scenario.accepted().length} in all to ${scenario.chats.length} chats, ${count} repeated`,
    );
    expect(count).toBeLessThanOrEqual(2);
    expect(new Set(scenario.accepted().map((m) => m.chatId)).size).toBe(scenario.chats.length);
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
  }, 300_000);
});
