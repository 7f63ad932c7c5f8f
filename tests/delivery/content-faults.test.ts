import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/main.ts';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import { DigestError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = readFileSync(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'));
const OLDER = readFileSync(path.join(ROOT, 'content', 'twitter_ai_20260102_20260102.md'));
const NEW_NAME = 'twitter_ai_20260103_20260103.md';
const OLD_NAME = 'twitter_ai_20260102_20260102.md';
const tg = (chatId: string): Destination => ({ platform: 'telegram', chatId, threadId: null });

/** The seed report cut right after its third core point (as a copy in progress leaves it). */
const CUT_AFTER_3 = SEED.subarray(0, SEED.indexOf(Buffer.from('\n4. **')));
/** The seed report cut inside a three-byte UTF-8 character. */
const CUT_IN_CHAR = (() => {
  const at = SEED.indexOf(Buffer.from('递归'));
  return SEED.subarray(0, at + 1);
})();

/** Digests that carry the report's points, so a test sees how many went out. */
const digests: DigestBuilder = {
  async forReport(report) {
    // As condenseReport does: the digest names the version of the file it was made from.
    return { ...testDigest(report.slug), points: report.points, contentHash: report.contentHash };
  },
};

let dir: string;
let store: SqliteStore;
let telegram: ScriptedPlatform;
let logLines: Array<Record<string, unknown>>;

async function fanout(settleMs: number): Promise<{ fanout: Fanout; library: ReportLibrary }> {
  const logger = createLogger({ level: 'info', destination: { write: (l: string) => logLines.push(JSON.parse(l)) } });
  const library = await ReportLibrary.open(dir, { logger });
  const deliverer = new Deliverer({ store, platforms: { telegram }, policy: { maxAttempts: 2, backoffBaseMs: 1, backoffCapMs: 1 }, sleep: async () => undefined });
  return { fanout: new Fanout({ library, digests, store, deliverer, logger, settleMs }), library };
}

/** Writes a file and dates it `agoMs` in the past (a writer long finished). */
function writeOld(name: string, bytes: Buffer, agoMs = 60_000): void {
  writeFileSync(path.join(dir, name), bytes);
  const when = new Date(Date.now() - agoMs);
  utimesSync(path.join(dir, name), when, when);
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'content-faults-'));
  store = await SqliteStore.open(':memory:');
  telegram = new ScriptedPlatform('telegram');
  logLines = [];
  for (const chatId of ['-1', '-2']) await store.subscribe({ ...tg(chatId), subscribedBy: 'cli' });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reports that are still changing or broken are never delivered half', () => {
  it('waits for a report still being written and delivers it whole (10 points, not 3)', async () => {
    writeOld(OLD_NAME, OLDER);
    const { fanout: f } = await fanout(300);
    writeFileSync(path.join(dir, NEW_NAME), CUT_AFTER_3); // the copy has just begun
    const finishing = new Promise<void>((resolve) =>
      setTimeout(() => {
        writeFileSync(path.join(dir, NEW_NAME), SEED);
        resolve();
      }, 100),
    );
    const report = await f.deliverNewest();
    await finishing;
    expect(report?.slug).toBe('twitter_ai_20260103_20260103');
    expect(telegram.delivered).toHaveLength(2);
    for (const sent of telegram.delivered) expect(sent.digest.points).toHaveLength(10);
  });

  it('a newest report cut inside a UTF-8 character is not replaced by the older report: nothing is sent, loudly', async () => {
    writeOld(OLD_NAME, OLDER, 3_600_000);
    writeOld(NEW_NAME, CUT_IN_CHAR);
    const { fanout: f } = await fanout(300);
    await expect(f.deliverNewest()).rejects.toThrow(/newest report .*twitter_ai_20260103_20260103\.md does not parse .*not valid UTF-8/);
    expect(telegram.attempts).toHaveLength(0);
    expect(logLines.some((l) => l['event'] === 'report.newest_unreadable' && l['level'] === 'error')).toBe(true);
  });

  it('refuses a report that lost points compared with a moment ago', async () => {
    writeOld(NEW_NAME, SEED);
    const { fanout: f } = await fanout(300);
    const first = await f.deliverNewest({ chatId: '-1' });
    expect(first?.byPlatform.telegram.delivered).toBe(1);
    // Rewritten in place, cut short, by a writer that stopped (the file no longer changes).
    writeOld(NEW_NAME, CUT_AFTER_3, 10_000);
    await expect(f.deliverNewest({ chatId: '-2' })).rejects.toThrow(DigestError);
    await expect(f.deliverNewest({ chatId: '-2' })).rejects.toThrow(/3 points, 10 a moment ago/);
    expect(telegram.deliveredTo('-2')).toBe(0);
  });
});

describe('a delivered report that is edited afterwards', () => {
  it('is not sent again by itself; the log and `digest check` say so, and a repost sends it', async () => {
    writeOld(NEW_NAME, SEED);
    const dbFile = path.join(dir, 'digest.db');
    await store.close();
    // The ledger's clock runs a minute behind, so "delivered, then edited" fits in a fast test.
    store = await SqliteStore.open(dbFile, { now: () => new Date(Date.now() - 60_000) });
    for (const chatId of ['-1', '-2']) await store.subscribe({ ...tg(chatId), subscribedBy: 'cli' });
    const { fanout: f } = await fanout(300);
    await f.deliverNewest();
    expect(telegram.delivered).toHaveLength(2);

    // Edited (a point's wording fixed) after the post, and settled since.
    writeOld(NEW_NAME, Buffer.from(SEED.toString('utf8').replace('编程工作流程根本性变革', '编程工作流程的根本性变革')), 10_000);

    const again = await f.deliverNewest();
    expect(again?.byPlatform.telegram.skipped).toBe(2);
    expect(telegram.delivered).toHaveLength(2);
    expect(logLines.find((l) => l['event'] === 'report.edited_after_delivery')).toMatchObject({ level: 'warn', destinations: 2 });

    let stdout = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: { DATABASE_PATH: dbFile }, cwd: ROOT };
    expect(await runCli(['check', dir], io)).toBe(0);
    expect(stdout).toContain(`warn ${NEW_NAME}: changed after it was delivered (to 2 destinations`);
    expect(stdout).toContain('digest post 2026-01-03 --repost');

    // The remedy: a repost sends the edited text.
    const report = await f.reportBySlug('twitter_ai_20260103_20260103');
    const repost = await f.deliverReport(report, [tg('-1'), tg('-2')], { kind: 'repost', requestedBy: 'cli' });
    expect(repost.byPlatform.telegram.delivered).toBe(2);
    expect(telegram.delivered.at(-1)?.digest.points[0]?.title).toBe('编程工作流程的根本性变革');
  });
});

describe('a delivered report whose file is only touched (a fresh checkout or deploy)', () => {
  it('is not reported as edited: the ledger compares the delivered content, not the mtime', async () => {
    writeOld(NEW_NAME, SEED);
    const dbFile = path.join(dir, 'digest.db');
    await store.close();
    store = await SqliteStore.open(dbFile, { now: () => new Date(Date.now() - 60_000) });
    await store.subscribe({ ...tg('-1'), subscribedBy: 'cli' });
    const { fanout: f } = await fanout(300);
    await f.deliverNewest();
    expect((await store.getDelivery('twitter_ai_20260103_20260103', tg('-1'), 'scheduled'))?.contentHash).toMatch(/^[0-9a-f]{64}$/);

    // The same bytes written again, newer than the delivery (as `git clone` leaves every file).
    writeOld(NEW_NAME, SEED, 10_000);
    expect((await f.deliverNewest())?.byPlatform.telegram.skipped).toBe(1);
    expect(logLines.filter((l) => l['event'] === 'report.edited_after_delivery')).toEqual([]);
    let stdout = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: { DATABASE_PATH: dbFile }, cwd: ROOT };
    expect(await runCli(['check', dir], io)).toBe(0);
    expect(stdout).not.toContain('changed after it was delivered');
  });
});

describe('two reports for the same date', () => {
  it('serve the one whose name sorts first, and `digest check` and the log name the unreachable one', async () => {
    writeOld(NEW_NAME, SEED);
    const fixName = 'twitter_ai_20260103_20260103_fix.md';
    writeOld(fixName, Buffer.from(SEED.toString('utf8').replace('编程工作流程根本性变革', '修正后的标题')));
    const { library } = await fanout(0);
    expect((await library.findByDate('2026-01-03')).slug).toBe('twitter_ai_20260103_20260103');
    expect((await library.latest())?.slug).toBe('twitter_ai_20260103_20260103');
    expect(logLines.find((l) => l['event'] === 'report.same_dates')).toMatchObject({ level: 'warn', file: path.join(dir, fixName) });

    let stdout = '';
    const io: CliIo = { stdout: (t) => (stdout += t), stderr: () => undefined, env: {}, cwd: ROOT };
    expect(await runCli(['check', dir], io)).toBe(0);
    expect(stdout).toContain(`warn ${fixName}: covers the same dates (2026-01-03) as ${NEW_NAME}; only ${NEW_NAME} is delivered and shown`);
  });
});
