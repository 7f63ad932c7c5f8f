import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { startFakeTelegram, type FakeTelegram } from '../helpers/fake-telegram.ts';
import { until } from '../helpers/until.ts';
import { ROOT_DIR, platformStarted, startBot, stopBot, waitForLog, type BotProcess } from './bot-process-helpers.ts';

/**
 * The bot's own delivery path (the start-up catch-up, the content-folder watch, the real grammY
 * client against the fake Telegram) in front of two kinds of report it must not send as the day's
 * digest: one still being written in two parts (issue 16 §5: held until whole), and one eleven
 * months old (issue 18 §9: delivery.maxReportAgeDays, left at its default of 7 here). And a 47 MB
 * newest file (issue 16 §7: content.maxReportBytes) is refused without being read.
 */

const GROUP = -1007700;
const USER = 7700001;
const SEED = readFileSync(path.join(ROOT_DIR, 'content', 'twitter_ai_20260122_20260122.md'), 'utf8');
/** The seed's tenth point title: present in the digest only when the whole report went out. */
const TENTH_TITLE = /\n10\.\s+\*\*(.+?)\*\*/.exec(SEED)?.[1] ?? '';

let telegram: FakeTelegram;
let tmp: string;
const running: BotProcess[] = [];

const dayOffset = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const compact = (date: string): string => date.replaceAll('-', '');
const toGroup = () => telegram.sent.filter((m) => m.chatId === GROUP);
const logLines = (bot: BotProcess, event: string) => bot.stderr().split('\n').filter((l) => l.includes(`"event":"${event}"`));

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'content-gates-'));
  telegram = await startFakeTelegram();
  telegram.addChat({ id: GROUP, type: 'supergroup', title: 'AI' });
  telegram.addChat({ id: USER, type: 'private' });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((bot) => (bot.child.exitCode === null ? stopBot(bot) : bot.exit)));
  telegram.resetRecordings();
});
afterAll(async () => {
  await telegram?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A project whose group subscribed two days ago; the schedule (daily 00:00 UTC) has a due time since. */
async function project(name: string): Promise<{ contentDir: string; env: NodeJS.ProcessEnv }> {
  const dir = mkdtempSync(path.join(tmp, `${name}-`));
  const contentDir = path.join(dir, 'content');
  mkdirSync(contentDir);
  const databasePath = path.join(dir, 'data', 'bot.db');
  const store = await SqliteStore.open(databasePath, { now: () => new Date(Date.now() - 2 * 86_400_000) });
  await store.subscribe({ platform: 'telegram', chatId: String(GROUP), threadId: null, subscribedBy: 'cli' });
  await store.close();
  const configFile = path.join(dir, 'config.json');
  // No delivery.maxReportAgeDays: the default (7 days) is what is tested.
  writeFileSync(configFile, JSON.stringify({ wordcloud: { enabled: false, warmRecent: 0 }, schedule: '0 0 * * *', timezone: 'UTC' }));
  return {
    contentDir,
    env: {
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATABASE_PATH: databasePath,
      CONTENT_DIR: contentDir,
      DIGEST_CONFIG: configFile,
      LOG_LEVEL: 'info',
    },
  };
}

/** Writes `text` and dates it a minute back, as a writer that paused long ago leaves it. */
function writeSettled(file: string, text: string): void {
  writeFileSync(file, text);
  const when = new Date(Date.now() - 60_000);
  utimesSync(file, when, when);
}

describe('a report written in two parts', () => {
  it('is held while only its first part is there (said once in the log) and delivered whole once the rest is written', async () => {
    expect(TENTH_TITLE).not.toBe('');
    const { contentDir, env } = await project('two-parts');
    const today = dayOffset(0);
    const file = path.join(contentDir, `twitter_ai_${compact(today)}_${compact(today)}.md`);
    // The first part: up to the third point, then the writer pauses (longer than the settle time).
    writeSettled(file, SEED.slice(0, SEED.search(/\n4\.\s+\*\*/)));
    const bot = startBot(env);
    running.push(bot);
    await waitForLog(bot, platformStarted('telegram'), 60_000);
    await waitForLog(bot, '"event":"report.held"', 60_000);
    expect(toGroup()).toEqual([]);

    // The rest arrives: the content-folder watch runs the held catch-up again.
    writeFileSync(file, SEED);
    await until('the digest in the group', () => toGroup().some((m) => (m.text ?? '').includes(TENTH_TITLE)), 60_000, () => bot.stderr().slice(-3000));
    expect(bot.child.exitCode).toBeNull();
    expect((await stopBot(bot)).code).toBe(0);
    expect(logLines(bot, 'report.held')).toHaveLength(1);
    // One digest, the whole one: nothing went out before the rest was written, nothing twice.
    const slug = `twitter_ai_${compact(today)}_${compact(today)}`;
    expect(logLines(bot, 'telegram-digest').filter((l) => l.includes(slug))).toHaveLength(1);
    expect(toGroup().map((m) => m.text ?? '').join('\n')).toContain(TENTH_TITLE);
  }, 120_000);
});

describe('an eleven-month-old newest report', () => {
  it('is not sent by the start-up catch-up (the log says why, once); `digest post DATE` still sends it', async () => {
    const { contentDir, env } = await project('stale');
    const old = dayOffset(-330);
    writeSettled(path.join(contentDir, `twitter_ai_${compact(old)}_${compact(old)}.md`), SEED);
    const bot = startBot(env);
    running.push(bot);
    await waitForLog(bot, platformStarted('telegram'), 60_000);
    await waitForLog(bot, '"event":"report.too_old"', 60_000);
    const line = JSON.parse(logLines(bot, 'report.too_old')[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({ dateEnd: old, maxReportAgeDays: 7, destinations: 1 });
    expect(String(line['msg'])).toContain(`digest post ${old}`);
    expect((await stopBot(bot)).code).toBe(0);
    expect(toGroup()).toEqual([]);
    expect(logLines(bot, 'report.too_old')).toHaveLength(1);

    let stdout = '';
    const io: CliIo = { stdout: (t) => void (stdout += t), stderr: () => undefined, env, cwd: ROOT_DIR };
    expect(await runCli(['post', old], io)).toBe(0);
    expect(stdout).toContain('telegram: 1 delivered');
    expect(toGroup().map((m) => m.text ?? '').join('\n')).toContain(TENTH_TITLE);
  }, 120_000);
});

/** The peak resident memory of a running process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

describe('a 47 MB newest report file', () => {
  it('is refused in one log line and never read: /latest answers from the newest acceptable report, memory stays low', async () => {
    const { contentDir, env } = await project('huge');
    writeSettled(path.join(contentDir, 'twitter_ai_20260122_20260122.md'), SEED);
    // A real report's text, its overview padded to 47 MB: parsed, it would take gigabytes.
    const huge = path.join(contentDir, `twitter_ai_${compact(dayOffset(0))}_${compact(dayOffset(0))}.md`);
    writeFileSync(huge, SEED.slice(0, SEED.indexOf('###')));
    const paragraph = `${'AI 智能体与推理成本的讨论持续升温，开源模型与闭源模型之间的竞争日益激烈。'.repeat(40)}\n\n`;
    const chunk = paragraph.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(paragraph)));
    for (let mb = 0; mb < 47; mb++) appendFileSync(huge, chunk);
    appendFileSync(huge, SEED.slice(SEED.indexOf('###')));
    writeSettled(huge, readFileSync(huge, 'utf8'));

    const bot = startBot(env);
    running.push(bot);
    await waitForLog(bot, platformStarted('telegram'), 60_000);
    telegram.sendText('/latest', { chatId: USER, from: { id: USER } });
    await until('the /latest answer', () => telegram.sent.some((m) => m.chatId === USER), 60_000, () => bot.stderr().slice(-3000));
    // Generous: the bot idles at about 250 MB; reading and parsing the file took it past 1.7 GB.
    expect(peakRssMb(bot.child.pid!)).toBeLessThan(700);
    expect(telegram.sent.filter((m) => m.chatId === USER).map((m) => m.text ?? '').join('\n')).toContain('Twitter AI 报告 · 2026-01-22');
    const refused = logLines(bot, 'report.unindexed').filter((l) => l.includes(path.basename(huge)));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toContain('too large to be a report');
    expect(refused[0]).toContain('content.maxReportBytes');
    expect((await stopBot(bot)).code).toBe(0);
  }, 120_000);
});
