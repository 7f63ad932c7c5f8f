import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { FakeTelegram, SentMessage } from './fake-telegram.ts';
import { BIN, botArgs, ROOT_DIR } from './node-process.ts';

/**
 * Crashes and stops of the real bot process against the fake Telegram, measured: `npm start`
 * (the bot as tests start it, see botArgs; its start-up catch-up posts the newest report) or
 * `digest post`, on many Telegram chats, signalled the moment the fake has accepted N messages
 * (from inside the fake, so the N-th is truly in flight: Telegram has it, the bot never hears
 * back), then restarted until every chat has the whole digest. Used by the process tests and by
 * `npm run bench` (bench/crash-resume.ts).
 */

export const NEWEST_SLUG = 'twitter_ai_20260122_20260122';

/** One interruption: when, how, and whether Telegram stops answering first. */
export interface Interruption {
  /** Signal once the fake has accepted this many messages in all (repeats included). */
  afterAccepted: number;
  signal: 'SIGKILL' | 'SIGTERM';
  /** Telegram stops answering sends at that moment; the signal follows `signalDelayMs` later. */
  hang?: boolean;
  signalDelayMs?: number;
}

/** What one interruption cost. */
export interface InterruptionFigures {
  afterAccepted: number;
  signal: 'SIGKILL' | 'SIGTERM';
  hang: boolean;
  /** How the process ended, and how long after the signal. */
  exit: { code: number | null; signal: NodeJS.Signals | null };
  stopMs: number;
  /**
   * Messages Telegram had accepted that the ledger did not know when the process was gone:
   * the requests truly in flight, which Telegram (no idempotency key) makes unavoidable.
   */
  inFlight: number;
  /** Messages sent again after the restart (same chat, same content as one accepted before). */
  repeats: number;
}

export interface ScenarioResult {
  chats: number[];
  interruptions: InterruptionFigures[];
  /** Chats missing any part of the digest at the end. */
  missing: number[];
  /** Parts every chat has (the photo and the text chunks). */
  partsPerChat: number;
  /** Ledger rows of the newest report not `delivered` at the end. */
  undelivered: number;
  /** Process output of each run, for failure messages. */
  outputs: string[];
}

export interface ScenarioOptions {
  telegram: FakeTelegram;
  /** Telegram chat ids to subscribe (private chats, positive ids; registered with the fake here). */
  chats: number[];
  entry: 'start' | 'post';
  interruptions: Interruption[];
  /** Extra environment (SHUTDOWN_TIMEOUT_SECONDS …). */
  env?: NodeJS.ProcessEnv;
  /** Word-cloud cache shared across scenarios, so each cloud is drawn once. */
  wordcloudCache: string;
  /** Give up on one run after this long (default 120 s). */
  runTimeoutMs?: number;
}

interface Run {
  child: ChildProcess;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

function spawnRun(entry: 'start' | 'post', env: NodeJS.ProcessEnv): Run {
  const args = entry === 'start' ? botArgs() : [BIN, 'post'];
  // Only what the bot reads: nothing of the developer's own environment or .env leaks in.
  const child = spawn(process.execPath, args, {
    cwd: ROOT_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, output: () => output };
}

const keyOf = (m: SentMessage): string => `${m.chatId}|${m.method}|${m.text ?? ''}`;

/** Message ids the ledger knows for the newest report: recorded parts and delivered rows' ids. */
function ledgerMessageIds(dbPath: string): Set<string> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const ids = new Set<string>();
    for (const row of db.prepare('SELECT message_ids FROM deliveries WHERE slug = ?').all(NEWEST_SLUG) as { message_ids: string }[]) {
      for (const id of JSON.parse(row.message_ids) as string[]) ids.add(String(id));
    }
    const hasParts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'delivery_parts'").get();
    if (hasParts) {
      for (const row of db.prepare('SELECT message_id FROM delivery_parts').all() as { message_id: string }[]) ids.add(row.message_id);
    }
    return ids;
  } finally {
    db.close();
  }
}

function undeliveredRows(dbPath: string, chats: number): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    const delivered = db
      .prepare("SELECT COUNT(*) AS n FROM deliveries WHERE slug = ? AND platform = 'telegram' AND status = 'delivered'")
      .get(NEWEST_SLUG) as { n: number };
    return chats - delivered.n;
  } finally {
    db.close();
  }
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Runs the interruptions in order (each one a process started, signalled, gone), then one last
 * run that finishes the fan-out, and measures what each interruption repeated and what is
 * missing at the end. Every chat is subscribed two days ago; with the schedule at 00:00 UTC the
 * bot's start-up catch-up owes each the newest report.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { telegram, chats } = options;
  for (const id of chats) telegram.addChat({ id, type: 'private' });
  const dir = mkdtempSync(path.join(tmpdir(), 'crash-scenario-'));
  const outputs: string[] = [];
  try {
    const contentDir = path.join(dir, 'content');
    cpSync(path.join(ROOT_DIR, 'content'), contentDir, { recursive: true });
    const configFile = path.join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        wordcloud: { cacheDir: options.wordcloudCache, warmRecent: 0 },
        schedule: '0 0 * * *',
        timezone: 'UTC',
        delivery: { maxAttempts: 3, backoffBaseMs: 10, backoffCapMs: 50, maxReportAgeDays: 36500 },
      }),
    );
    const dbPath = path.join(dir, 'data', 'bot.db');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    const store = await SqliteStore.open(dbPath, { now: () => twoDaysAgo });
    for (const id of chats) await store.subscribe({ platform: 'telegram', chatId: String(id), threadId: null, subscribedBy: 'cli' });
    await store.close();
    const env: NodeJS.ProcessEnv = {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: dbPath,
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
      ...options.env,
    };
    const ours = new Set(chats);
    const accepted = (): SentMessage[] => telegram.sent.filter((m) => ours.has(m.chatId));
    const seen = new Set<string>();
    /** Accepted message ids the ledger never learnt (in flight at an earlier interruption). */
    const unknownBefore = new Set<number>();
    const interruptions: InterruptionFigures[] = [];
    const runTimeoutMs = options.runTimeoutMs ?? 120_000;

    for (const plan of options.interruptions) {
      const run = spawnRun(options.entry, env);
      const before = accepted().length;
      let signalledAt = 0;
      const signal = (): void => {
        signalledAt = Date.now();
        run.child.kill(plan.signal);
      };
      telegram.afterAccept = () => {
        if (signalledAt !== 0 || accepted().length < plan.afterAccepted) return;
        if (plan.hang) {
          telegram.hang(['sendMessage', 'sendPhoto']);
          signalledAt = -1;
          setTimeout(signal, plan.signalDelayMs ?? 500);
        } else {
          // Synchronously, before the fake answers: the message just accepted is in flight.
          signal();
        }
      };
      let exitAt = 0;
      const exit = await Promise.race([
        run.exit.then((e) => ((exitAt = Date.now()), e)),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`run did not end within ${runTimeoutMs} ms\n${run.output().slice(-4000)}`)), runTimeoutMs)),
      ]).finally(() => {
        telegram.afterAccept = null;
        if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
      });
      outputs.push(run.output());
      if (signalledAt <= 0) throw new Error(`the run ended before ${plan.afterAccepted} messages were accepted\n${run.output().slice(-4000)}`);
      telegram.unhang();
      const known = ledgerMessageIds(dbPath);
      const all = accepted();
      const unknown = all.filter((m) => !known.has(String(m.messageId)) && !unknownBefore.has(m.messageId));
      for (const m of unknown) unknownBefore.add(m.messageId);
      const inFlight = unknown.length;
      const repeats = interruptions.length > 0 ? countRepeats(all.slice(before), seen) : 0;
      if (interruptions.length > 0) interruptions.at(-1)!.repeats = repeats;
      else for (const m of all.slice(before)) seen.add(keyOf(m));
      interruptions.push({
        afterAccepted: plan.afterAccepted,
        signal: plan.signal,
        hang: plan.hang === true,
        exit,
        stopMs: exitAt - signalledAt,
        inFlight,
        repeats: 0,
      });
    }

    // The last run finishes the fan-out: `digest post` exits by itself; the bot is stopped once
    // the ledger says every chat has the digest.
    const last = spawnRun(options.entry, env);
    const before = accepted().length;
    try {
      if (options.entry === 'post') {
        await Promise.race([last.exit, new Promise((resolve) => setTimeout(resolve, runTimeoutMs))]);
      } else {
        await waitUntil(() => undeliveredRows(dbPath, chats.length) === 0, runTimeoutMs, 'every chat delivered', last.output);
        last.child.kill('SIGTERM');
        await last.exit;
      }
    } finally {
      if (last.child.exitCode === null && last.child.signalCode === null) last.child.kill('SIGKILL');
      outputs.push(last.output());
    }
    if (interruptions.length > 0) interruptions.at(-1)!.repeats = countRepeats(accepted().slice(before), seen);

    // Every chat gets the same digest: the parts are the distinct (method, text) of all chats.
    const partsOf = new Map<number, Set<string>>(chats.map((id) => [id, new Set()]));
    for (const m of accepted()) partsOf.get(m.chatId)!.add(`${m.method}|${m.text ?? ''}`);
    const allParts = new Set([...partsOf.values()].flatMap((parts) => [...parts]));
    const missing = chats.filter((id) => partsOf.get(id)!.size < allParts.size);
    return {
      chats,
      interruptions,
      missing,
      partsPerChat: allParts.size,
      undelivered: undeliveredRows(dbPath, chats.length),
      outputs,
    };
  } finally {
    telegram.afterAccept = null;
    telegram.unhang();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Counts messages whose content a chat had already accepted; adds the new ones to `seen`. */
function countRepeats(messages: readonly SentMessage[], seen: Set<string>): number {
  let repeats = 0;
  for (const m of messages) {
    const key = keyOf(m);
    if (seen.has(key)) repeats += 1;
    else seen.add(key);
  }
  return repeats;
}

/** A one-line summary per interruption, for test output and the bench. */
export function describeInterruptions(result: ScenarioResult): string[] {
  return result.interruptions.map(
    (i) =>
      `${i.signal}${i.hang ? ' (Telegram hanging)' : ''} after ${i.afterAccepted} accepted: in flight ${i.inFlight}, repeated ${i.repeats}, ` +
      `exit ${i.exit.signal ?? i.exit.code} after ${i.stopMs} ms`,
  );
}
