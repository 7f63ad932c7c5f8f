import { beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { ReportSource } from '../../src/commands/deps.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import {
  contextFor,
  createHarness,
  digestOf,
  consecutiveDates,
  libraryWithDates,
  run,
  textOf,
  type Harness,
} from './command-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});

describe('/report', () => {
  it('answers with the digest of that date: title, headline and all ten points', async () => {
    const digest = digestOf(await run(h, 'report', { date: '2026-01-03' }));
    expect(digest.dateStart).toBe('2026-01-03');
    expect(digest.slug).toBe('twitter_ai_20260103_20260103');
    expect(digest.title).toBe('Twitter AI 报告 · 2026-01-03');
    expect(digest.points).toHaveLength(10);
    expect(digest.points[0]?.title).toBe('编程工作流程根本性变革');
  });

  it.each([
    ['2026-01-03', '2026-01-03'],
    ['20260103', '2026-01-03'],
    ['2026/1/3', '2026-01-03'],
    ['  2026/01/03 ', '2026-01-03'],
    // NOW is 2026-01-22 10:00 in Asia/Shanghai.
    ['today', '2026-01-22'],
    ['TODAY', '2026-01-22'],
  ])('accepts %j as %s', async (input, expected) => {
    expect(digestOf(await run(h, 'report', { date: input })).dateStart).toBe(expected);
  });

  it('reads today and yesterday in the configured timezone, not UTC', async () => {
    // 2026-01-21 17:00 UTC is already 2026-01-22 01:00 in Asia/Shanghai.
    const late = await createHarness({ now: new Date('2026-01-21T17:00:00Z') });
    expect(digestOf(await run(late, 'report', { date: 'today' })).dateStart).toBe('2026-01-22');
    const utc = await createHarness({ now: new Date('2026-01-21T17:00:00Z'), timezone: 'UTC' });
    expect(textOf(await run(utc, 'report', { date: 'today' }))).toContain('2026-01-21');
    const next = await createHarness({ now: new Date('2026-01-02T20:00:00Z') });
    expect(digestOf(await run(next, 'report', { date: 'yesterday' })).dateStart).toBe('2026-01-02');
  });

  it.each(['next tuesday', '2026-13-45', '2026-02-30', '03/01/2026', '2026-1'])(
    'explains %j with an example instead of failing',
    async (input) => {
      const reply = await run(h, 'report', { date: input });
      const text = textOf(reply);
      expect(text).toContain(input);
      expect(text).toContain('/report 2026-01-03');
      expect(reply).toMatchObject({ ephemeral: true });
    },
  );

  it('quotes at most a short piece of a long bad input', async () => {
    const text = textOf(await run(h, 'report', { date: '啊'.repeat(3000) }));
    expect(text.length).toBeLessThan(200);
    expect(text).toContain('啊'.repeat(39) + '…');
  });

  it('asks for a date when none is given', async () => {
    expect(textOf(await run(h, 'report', {}))).toContain('/report 2026-01-03');
  });

  it('names the nearest dates on either side when the date has no report', async () => {
    const text = textOf(await run(h, 'report', { date: '2026-01-10' }));
    expect(text).toContain('2026-01-10');
    expect(text).toContain('2026-01-03');
    expect(text).toContain('2026-01-22');
    const after = textOf(await run(h, 'report', { date: '2026-03-01' }));
    expect(after).toContain('2026-01-22');
    expect(after).not.toContain('之后');
  });

  it('says an unreadable report could not be read and logs the detail', async () => {
    const library = await libraryWithDates(['2026-01-03']);
    writeFileSync(library.entries()[0]!.file, Buffer.from([0x00, 0x01, 0x02]));
    const broken = await createHarness({ library });
    const reply = await run(broken, 'report', { date: '2026-01-03' });
    expect(textOf(reply)).toContain('无法读取');
    const line = broken.logs.find((l) => l.event === 'command');
    expect(line).toMatchObject({ outcome: 'unreadable-report', level: 'warn' });
    expect(JSON.stringify(line)).toContain('binary');
  });

  it('does not wait for the word cloud: the digest comes without one and drawing starts in the background', async () => {
    const digest = digestOf(await run(h, 'report', { date: '2026-01-03' }));
    expect(digest.image).toBeNull();
    expect(h.imageRequests).toEqual(['twitter_ai_20260103_20260103']);
  });
});

describe('/latest', () => {
  it('answers with the newest report', async () => {
    const digest = digestOf(await run(h, 'latest'));
    expect(digest.dateStart).toBe('2026-01-22');
    expect(digest.points.length).toBeGreaterThan(0);
  });

  it('says there are no reports when the library is empty', async () => {
    const empty = await createHarness({ library: await libraryWithDates([]) });
    expect(textOf(await run(empty, 'latest'))).toContain('还没有任何报告');
  });
});

describe('/dates', () => {
  it('lists the dates newest first with the total', async () => {
    const lines = textOf(await run(h, 'dates')).split('\n');
    expect(lines[0]).toContain('5');
    expect(lines.slice(1)).toEqual(['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01', '2025-12-27']);
  });

  it('shows at most 30 dates but counts all of them', async () => {
    const big = await createHarness({ library: await libraryWithDates(consecutiveDates('2025-01-01', 40)) });
    const lines = textOf(await run(big, 'dates')).split('\n');
    expect(lines[0]).toContain('40');
    expect(lines[0]).toContain('30');
    expect(lines.slice(1)).toHaveLength(30);
    expect(lines[1]).toBe('2025-02-09');
  });
});

describe('autocompleteDates', () => {
  it.each([
    ['2026-01', 25, ['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01']],
    ['202601', 25, ['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01']],
    ['2026-01-0', 25, ['2026-01-03', '2026-01-02', '2026-01-01']],
    ['2025', 25, ['2025-12-27']],
    ['2026-01', 2, ['2026-01-22', '2026-01-03']],
    ['', 25, ['2026-01-22', '2026-01-03', '2026-01-02', '2026-01-01', '2025-12-27']],
    ['1999', 25, []],
    ['today', 25, ['2026-01-22']],
    ['2026/1/3', 25, ['2026-01-03']],
    ['tod', 25, []],
  ])('%j (limit %i) → %j', (typed, limit, expected) => {
    expect(h.router.autocompleteDates(typed, limit)).toEqual(expected);
  });

  it('returns the newest 25 of many when nothing is typed', async () => {
    const big = await createHarness({ library: await libraryWithDates(consecutiveDates('2025-01-01', 60)) });
    const choices = big.router.autocompleteDates('', 25);
    expect(choices).toHaveLength(25);
    expect(choices[0]).toBe('2025-03-01');
    expect([...choices].sort().reverse()).toEqual(choices);
  });
});

describe('/start, /help and unknown commands', () => {
  it.each(['start', 'help'])('/%s lists every command in Chinese by default', async (name) => {
    const text = textOf(await run(h, name));
    for (const command of ['/report', '/latest', '/dates', '/subscribe', '/unsubscribe', '/repost', '/help']) {
      expect(text).toContain(command);
    }
    expect(text).toContain('可用命令');
    expect(text).toContain('Asia/Shanghai');
  });

  it('/help answers in English for an English client', async () => {
    const text = textOf(await run(h, 'help', {}, contextFor({ locale: 'en' })));
    expect(text).toContain('Commands:');
    expect(text).not.toMatch(/可用命令/);
  });

  it('an unknown command gets the command list, not an error', async () => {
    const text = textOf(await run(h, 'frobnicate'));
    expect(text).toContain('/frobnicate');
    expect(text).toContain('/report');
    expect(h.logs.at(-1)).toMatchObject({ command: 'frobnicate', outcome: 'unknown-command' });
  });

  it('accepts a leading slash and any case in the command name', async () => {
    expect(digestOf(await run(h, '/LATEST')).dateStart).toBe('2026-01-22');
  });
});

describe('errors and logging', () => {
  it('turns an unexpected failure into a short apology, logged with its context', async () => {
    const failing = await createHarness({
      library: {
        latest: () => {
          throw new Error('disk on fire');
        },
        dates: () => [],
        findByDate: () => {
          throw new Error('unused');
        },
      },
    });
    const reply = await run(failing, 'latest');
    expect(textOf(reply)).toContain('抱歉');
    expect(textOf(reply)).not.toContain('disk on fire');
    const line = failing.logs.at(-1)!;
    expect(line).toMatchObject({
      level: 'error',
      command: 'latest',
      platform: 'telegram',
      destination: 'telegram:-1001234',
      user: '42',
      outcome: 'failed',
    });
    expect(JSON.stringify(line.err)).toContain('disk on fire');
  });

  it('writes exactly one structured line per command', async () => {
    await run(h, 'latest', {}, contextFor({ destination: { platform: 'telegram', chatId: '-100777', threadId: '12' } }));
    await run(h, 'report', { date: 'garbage' });
    expect(h.logs.filter((l) => l.event === 'command')).toEqual([
      expect.objectContaining({ command: 'latest', destination: 'telegram:-100777/12', outcome: 'ok', level: 'info' }),
      expect.objectContaining({ command: 'report', outcome: 'invalid-date' }),
    ]);
  });
});

it('the real ReportLibrary is a ReportSource', () => {
  expectTypeOf<ReportLibrary>().toExtend<ReportSource>();
});
