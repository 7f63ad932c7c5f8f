import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { NEWEST_SLUG } from './crash-harness.ts';
import type { FakeTelegram, SentMessage } from './fake-telegram.ts';
import { startBotProcess, ROOT_DIR, type NodeProcess } from './node-process.ts';
import { dropSchema, TEST_DATABASE_URL, uniqueSchema } from './postgres.ts';

/**
 * Failover of several `npm start` instances on one PostgreSQL database (ledger and pg-boss in
 * schemas of the run's own) against one fake Telegram: the start-up catch-up to `chats` is sent by
 * one instance; the fake tells the moment it has accepted `killAfter` messages and that instance is
 * SIGKILLed right then (the message just accepted is in flight). Measures how long until another
 * instance sends and until every chat has its delivered row. Used by the process test and by
 * `bench/failover.ts`.
 */
export interface FailoverOptions {
  telegram: FakeTelegram;
  chats: number[];
  killAfter: number;
  /** Instances started (default 2). */
  instances?: number;
  /**
   * Give up waiting for every chat this long after the kill (default 120 s: a generous deadline;
   * how soon it really finishes, against the 30 s promised, is a figure of bench/failover.ts).
   */
  finishWithinMs?: number;
}

export interface FailoverResult {
  /** Messages accepted when the sender was killed. */
  acceptedAtKill: number;
  /** Of those, the ones the ledger did not know right after the kill (truly in flight). */
  inFlight: number;
  /** Kill → the first message accepted from another instance (after the in-flight ones), ms; null if none. */
  firstSendAfterMs: number | null;
  /** Kill → every chat's row delivered, ms; null when not within `finishWithinMs`. */
  allDeliveredMs: number | null;
  /** Chats missing a part of the digest at the end. */
  missing: number[];
  /** Messages a chat received more than once. */
  repeats: number;
  /** Whether a survivor logged taking the platform over. */
  survivorTookOver: boolean;
  /** Every instance's output, for failure messages. */
  outputs: string[];
}

/** Message ids the ledger of `schema` has recorded for the newest report (whole deliveries and parts). */
export async function ledgerIds(client: pg.Client, schema: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const rows = await client.query<{ message_ids: string }>(`SELECT message_ids FROM "${schema}".deliveries WHERE slug = $1`, [NEWEST_SLUG]);
  for (const row of rows.rows) for (const id of JSON.parse(row.message_ids) as string[]) ids.add(String(id));
  const parts = await client.query<{ message_id: string }>(`SELECT message_id FROM "${schema}".delivery_parts`);
  for (const row of parts.rows) ids.add(row.message_id);
  return ids;
}

/** TEST_DATABASE_URL with `search_path` set to `schema` (where the bot creates its tables). */
export function databaseUrlFor(schema: string): string {
  return `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/**
 * What each destination received of a fan-out: `missing` names the destinations lacking one of
 * the parts any destination got (`keyOf` tells parts apart), `repeats` counts parts received more
 * than once.
 */
export function tallyParts<M, D>(messages: readonly M[], destinations: readonly D[], destinationOf: (m: M) => D, keyOf: (m: M) => string): { missing: D[]; repeats: number } {
  const parts = new Map<D, Map<string, number>>(destinations.map((d) => [d, new Map()]));
  for (const m of messages) {
    const seen = parts.get(destinationOf(m));
    if (!seen) continue;
    const key = keyOf(m);
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const allParts = new Set([...parts.values()].flatMap((p) => [...p.keys()]));
  return {
    missing: destinations.filter((d) => parts.get(d)!.size < allParts.size),
    repeats: [...parts.values()].reduce((n, p) => n + [...p.values()].reduce((k, c) => k + c - 1, 0), 0),
  };
}

export async function runFailoverScenario(options: FailoverOptions): Promise<FailoverResult> {
  const { telegram, chats } = options;
  for (const id of chats) telegram.addChat({ id, type: 'private' });
  const tmp = mkdtempSync(path.join(tmpdir(), 'failover-'));
  const schema = uniqueSchema('digest_failover');
  const bossSchema = uniqueSchema('boss_failover');
  const bots: NodeProcess[] = [];
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  try {
    const { contentDir, configFile } = writeInstanceProject(tmp);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const seed = await PostgresStore.open(TEST_DATABASE_URL, { schema, now: () => twoDaysAgo });
    for (const id of chats) await seed.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
    await seed.close();
    const url = databaseUrlFor(schema);
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
    const ours = new Set(chats);
    const accepted = (): SentMessage[] => telegram.sent.filter((m) => ours.has(m.chatId));

    let killedAt = 0;
    let victim: NodeProcess | null = null;
    let acceptedAtKill = 0;
    telegram.afterAccept = () => {
      if (killedAt !== 0 || accepted().length < options.killAfter) return;
      victim = bots.find((b) => b.stderr().includes('"event":"fanout.lock_taken"')) ?? null;
      if (!victim) return;
      killedAt = Date.now();
      acceptedAtKill = accepted().length;
      victim.child.kill('SIGKILL');
    };
    for (let i = 0; i < (options.instances ?? 2); i++) bots.push(startBotProcess(env));
    const startDeadline = Date.now() + 120_000;
    while (killedAt === 0 && Date.now() < startDeadline) await new Promise((resolve) => setTimeout(resolve, 20));
    telegram.afterAccept = null;
    const outputs = (): string[] => bots.map((b) => b.stderr().slice(-3000));
    if (killedAt === 0) throw new Error(`no instance was sending after 120 s\n${outputs().join('\n---\n')}`);
    await client.connect();
    // What the ledger knew at the kill (a survivor needs the lock and a plan before it sends).
    const known = await ledgerIds(client, schema);
    const inFlight = accepted()
      .slice(0, acceptedAtKill)
      .filter((m) => !known.has(String(m.messageId))).length;
    const finishWithinMs = options.finishWithinMs ?? 120_000;
    let allDeliveredMs: number | null = null;
    while (Date.now() - killedAt < finishWithinMs) {
      const { rows } = await client.query<{ n: string }>(`SELECT COUNT(*) AS n FROM "${schema}".deliveries WHERE slug = $1 AND status = 'delivered'`, [NEWEST_SLUG]);
      if (Number(rows[0]?.n ?? 0) === chats.length) {
        allDeliveredMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const all = accepted();
    // The in-flight requests may be accepted a moment after the kill: the first later one is the survivor's.
    const firstAfter = all.slice(acceptedAtKill + inFlight).find((m) => m.time >= killedAt);
    const { missing, repeats } = tallyParts(all, chats, (m) => m.chatId, (m) => `${m.method}|${m.text ?? ''}`);
    const survivors = bots.filter((b) => b !== victim);
    return {
      acceptedAtKill,
      inFlight,
      firstSendAfterMs: firstAfter ? firstAfter.time - killedAt : null,
      allDeliveredMs,
      missing,
      repeats,
      survivorTookOver: survivors.some((b) => /"event":"fanout\.(takeover|lock_taken)"/.test(b.stderr())),
      outputs: outputs(),
    };
  } finally {
    telegram.afterAccept = null;
    for (const bot of bots) if (bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
    await Promise.all(bots.map((b) => b.exit));
    await client.end().catch(() => undefined);
    await dropSchema(schema).catch(() => undefined);
    await dropSchema(bossSchema).catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The content folder (a copy of the seed reports) and config file every instance of a
 * multi-instance test shares: no daily post falls inside a test (each sets its due times itself),
 * and quick retries.
 */
export function writeInstanceProject(tmp: string): { contentDir: string; configFile: string } {
  const contentDir = path.join(tmp, 'content');
  cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
  const configFile = path.join(tmp, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      wordcloud: { cacheDir: path.join(tmp, 'wordclouds'), warmRecent: 0 },
      schedule: '0 0 * * *',
      timezone: 'UTC',
      delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, maxReportAgeDays: 36500 },
    }),
  );
  return { contentDir, configFile };
}
