import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DigestBuilder } from '../../src/digest-builder.ts';
import { catchUp } from '../../src/delivery/catch-up.ts';
import { Deliverer } from '../../src/delivery/deliverer.ts';
import { Fanout } from '../../src/delivery/fanout.ts';
import { Scheduler } from '../../src/delivery/scheduler.ts';
import { ReportHeldError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import type { Destination } from '../../src/platforms/platform.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { until } from '../helpers/until.ts';
import { MemoryLibrary, testDigests, testReport } from './fixtures.ts';
import { ScriptedPlatform, testDigest } from './scripted-platform.ts';

/**
 * The two gates in front of a due time's fan-out: a report with fewer core points than it
 * announces is held until it is whole (issue 16 §5), and a report older than
 * delivery.maxReportAgeDays is not sent by the schedule or the catch-up (issue 18 §9).
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const SEED = readFileSync(path.join(ROOT, 'content', 'twitter_ai_20260103_20260103.md'));
const NAME = 'twitter_ai_20260103_20260103.md';
/** The seed cut after its third point: the first part of a report written in two. */
const FIRST_PART = SEED.subarray(0, SEED.indexOf(Buffer.from('\n4. **')));
const tg = (chatId: string): Destination => ({ platform: 'telegram', chatId, threadId: null });

const digests: DigestBuilder = {
  async forReport(report) {
    return { ...testDigest(report.slug), points: report.points, contentHash: report.contentHash };
  },
};

let dir: string;
let store: SqliteStore;
let telegram: ScriptedPlatform;
let logLines: Array<Record<string, unknown>>;
const logger = () => createLogger({ level: 'info', destination: { write: (l: string) => logLines.push(JSON.parse(l)) } });
const events = (name: string) => logLines.filter((l) => l['event'] === name);

function writeOld(bytes: Buffer, agoMs = 60_000): void {
  writeFileSync(path.join(dir, NAME), bytes);
  const when = new Date(Date.now() - agoMs);
  utimesSync(path.join(dir, NAME), when, when);
}

function deliverer(): Deliverer {
  return new Deliverer({ store, platforms: { telegram }, policy: { maxAttempts: 2, backoffBaseMs: 1, backoffCapMs: 1 }, sleep: async () => undefined });
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'report-gates-'));
  store = await SqliteStore.open(':memory:', { now: () => new Date('2026-01-01T00:00:00Z') });
  telegram = new ScriptedPlatform('telegram');
  logLines = [];
  for (const chatId of ['-1', '-2']) await store.subscribe({ ...tg(chatId), subscribedBy: 'cli' });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a report with fewer points than its heading announces is held', () => {
  it('sends nothing for the first part (said once in the log), then the whole report once the rest is written', async () => {
    writeOld(FIRST_PART);
    const library = await ReportLibrary.open(dir, { logger: logger() });
    const fanout = new Fanout({ library, digests, store, deliverer: deliverer(), logger: logger(), settleMs: 300 });
    await expect(fanout.deliverNewest()).rejects.toThrow(ReportHeldError);
    await expect(fanout.deliverNewest()).rejects.toThrow(/only 3 of 10 core points.*digest post 2026-01-03 --force/);
    expect(telegram.attempts).toHaveLength(0);
    expect(events('report.held')).toHaveLength(1);
    expect(events('report.held')[0]).toMatchObject({ level: 'warn', points: 3, expected: 10 });

    writeOld(SEED, 10_000);
    const report = await fanout.deliverNewest();
    expect(report?.byPlatform.telegram.delivered).toBe(2);
    for (const sent of telegram.delivered) expect(sent.digest.points).toHaveLength(10);
  });

  it('a held report is not reposted either; forced (digest post --force) it goes out as it is', async () => {
    writeOld(FIRST_PART);
    const library = await ReportLibrary.open(dir, { logger: logger() });
    const fanout = new Fanout({ library, digests, store, deliverer: deliverer(), logger: logger(), settleMs: 0 });
    const outcome = fanout.repost({ slug: 'twitter_ai_20260103_20260103', target: tg('-1'), requestedBy: 'telegram:1' });
    await expect(outcome).rejects.toThrow(ReportHeldError);
    const report = await fanout.reportBySlug('twitter_ai_20260103_20260103');
    const forced = await fanout.deliverReport(report, [tg('-1')], { kind: 'scheduled', requestedBy: null, force: true });
    expect(forced.byPlatform.telegram.delivered).toBe(1);
    expect(telegram.delivered[0]?.digest.points).toHaveLength(3);
    expect(events('report.forced_incomplete')).toHaveLength(1);
  });

  it('the scheduler sends the held report as soon as the content folder says it changed, not at the next due time', async () => {
    writeOld(FIRST_PART);
    const library = await ReportLibrary.open(dir, { logger: logger() });
    const fanout = new Fanout({ library, digests, store, deliverer: deliverer(), logger: logger(), settleMs: 200 });
    const scheduler = new Scheduler({
      fanout,
      store,
      library,
      config: { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' },
      logger: logger(),
      now: () => new Date('2026-01-04T02:00:00Z'),
    });
    try {
      await scheduler.start({ catchUp: false });
      expect(await scheduler.catchUpWithRetry()).toEqual([]);
      expect(events('report.held')).toHaveLength(1);
      // Not a failure to retry on a timer: no error, no backoff.
      expect(events('delivery.due_retry')).toEqual([]);
      expect(telegram.attempts).toHaveLength(0);

      writeFileSync(path.join(dir, NAME), SEED);
      await until('the whole report delivered', () => telegram.delivered.length === 2, 20_000);
      for (const sent of telegram.delivered) expect(sent.digest.points).toHaveLength(10);
    } finally {
      await scheduler.stop();
    }
  });
});

describe('a report older than delivery.maxReportAgeDays', () => {
  const ageLimit = { maxReportAgeDays: 7, timezone: 'Asia/Shanghai' };

  function memoryFanout(now: string): Fanout {
    const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T14:00:00+08:00'));
    return new Fanout({ library, digests: testDigests, store, deliverer: deliverer(), logger: logger(), ageLimit, now: () => Date.parse(now) });
  }

  it('is not sent by a due time 11 months later; the log says why, once', async () => {
    const fanout = memoryFanout('2026-12-03T01:00:00Z');
    expect(await fanout.deliverNewest()).toBeNull();
    expect(await fanout.deliverNewest()).toBeNull();
    expect(telegram.attempts).toHaveLength(0);
    expect(events('report.too_old')).toHaveLength(1);
    expect(events('report.too_old')[0]).toMatchObject({ level: 'warn', dateEnd: '2026-01-03', maxReportAgeDays: 7, destinations: 2 });
    expect(String(events('report.too_old')[0]?.['msg'])).toContain('digest post 2026-01-03');
  });

  it('is not sent by the start-up catch-up; a repost still sends it', async () => {
    const fanout = memoryFanout('2026-12-03T01:00:00Z');
    const library = new MemoryLibrary(testReport('2026-01-03', '2026-01-03T14:00:00+08:00'));
    const global = { schedule: '0 9 * * *', timezone: 'Asia/Shanghai' };
    expect(await catchUp({ fanout, library, store, global, now: new Date('2026-12-03T02:00:00Z') })).toEqual([]);
    expect(telegram.attempts).toHaveLength(0);
    expect(events('report.too_old')).toHaveLength(1);

    const outcome = await fanout.repost({ slug: 'twitter_ai_20260103_20260103', target: tg('-1'), requestedBy: 'telegram:1' });
    expect(outcome.delivered).toBe(1);
  });

  it('is sent while within the limit (7 days after its date, counted in the bot timezone)', async () => {
    // 2026-01-10 08:30 in Shanghai: seven days after the report's day.
    const fanout = memoryFanout('2026-01-10T00:30:00Z');
    expect((await fanout.deliverNewest())?.byPlatform.telegram.delivered).toBe(2);
    expect(events('report.too_old')).toEqual([]);
  });
});
