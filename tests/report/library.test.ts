import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DigestError, InvalidDateError, ReportNotFoundError, ReportParseError } from '../../src/errors.ts';
import { createLogger } from '../../src/log.ts';
import { ReportLibrary, type LibraryChange } from '../../src/report/library.ts';
import { fixture } from './fixture-path.ts';

let dir: string;

/** Seeds (2025-12-27, 2026-01-01..03, 2026-01-22), the 01-05..01-11 range report and a text-dated one. */
function populate(target: string): void {
  for (const name of readdirSync(fixture('seeds'))) copyFileSync(fixture('seeds', name), join(target, name));
  copyFileSync(fixture('variants', 'twitter_ai_20260105_20260111.md'), join(target, 'twitter_ai_20260105_20260111.md'));
  copyFileSync(fixture('variants', 'weekly-notes.md'), join(target, 'weekly-notes.md')); // 2026-01-15..17, dated in its text
  copyFileSync(fixture('errors', 'undated-notes.md'), join(target, 'undated-notes.md'));
  writeFileSync(join(target, 'README.txt'), 'not a report');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'report-library-'));
  populate(dir);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Waits until `check` returns a value, polling; fails after `timeoutMs`. Not a timing assertion. */
async function eventually<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ReportLibrary', () => {
  it('refuses a file over maxReportBytes without reading it: not indexed, listed in problems(), logged once; latest() is the newest acceptable one', async () => {
    const huge = join(dir, 'twitter_ai_20260301_20260301.md');
    writeFileSync(huge, '');
    truncateSync(huge, 47 * 1024 * 1024);
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } });
    const library = await ReportLibrary.open(dir, { maxReportBytes: 2 * 1024 * 1024, logger });
    expect(library.entries().map((e) => e.file)).not.toContain(huge);
    expect((await library.latest())?.slug).toBe('twitter_ai_20260122_20260122');
    await expect(library.findByDate('2026-03-01')).rejects.toThrow(ReportNotFoundError);
    expect(library.problems()).toContainEqual({ file: huge, reason: 'too large to be a report: 47.0 MB, the limit is 2.0 MB (content.maxReportBytes); not read' });
    await library.refresh();
    expect(lines.filter((l) => l.includes(huge))).toHaveLength(1);

    // A served report that grows past the limit is refused on its next load, not read.
    const seed = library.findEntry('2026-01-03')!;
    truncateSync(seed.file, 3 * 1024 * 1024);
    await expect(library.load(seed)).rejects.toThrow(/too large to be a report: 3\.0 MB/);
  });

  it('refuses a missing folder with an error naming it', async () => {
    const missing = join(dir, 'nope');
    const error = await ReportLibrary.open(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigestError);
    expect((error as Error).message).toContain(missing);
    expect((error as Error).message).toContain('does not exist');
  });

  it('indexes markdown files newest first and lists their dates', async () => {
    const library = await ReportLibrary.open(dir);
    expect(library.dir).toBe(dir);
    expect(library.entries().map((e) => e.slug)).toEqual([
      'twitter_ai_20260122_20260122',
      'weekly-notes',
      'twitter_ai_20260105_20260111',
      'twitter_ai_20260103_20260103',
      'twitter_ai_20260102_20260102',
      'twitter_ai_20260101_20260101',
      'twitter_ai_20251227_20251227',
    ]);
    expect(library.dates()).toEqual(['2026-01-22', '2026-01-15', '2026-01-05', '2026-01-03', '2026-01-02', '2026-01-01', '2025-12-27']);
    expect(library.newestEntry()?.file).toBe(join(dir, 'twitter_ai_20260122_20260122.md'));
    const weekly = library.entries().find((e) => e.slug === 'weekly-notes');
    expect([weekly?.dateStart, weekly?.dateEnd]).toEqual(['2026-01-15', '2026-01-17']);
  });

  it('lists a bad file in problems() while the good ones still work', async () => {
    const library = await ReportLibrary.open(dir);
    expect(library.problems()).toEqual([{ file: join(dir, 'undated-notes.md'), reason: expect.stringMatching(/no date/) }]);
    expect((await library.findByDate('2026-01-03')).points).toHaveLength(10);
  });

  it('returns the newest report', async () => {
    const library = await ReportLibrary.open(dir);
    const latest = await library.latest();
    expect(latest?.slug).toBe('twitter_ai_20260122_20260122');
    expect(latest?.points[0]?.title).toBe('Claude Code等智能体工具重塑生产力');
  });

  it('skips a broken newest file in latest(), but findByDate reports it', async () => {
    writeFileSync(join(dir, 'twitter_ai_20260201_20260201.md'), '# 坏文件\n\n没有核心信息列表。\n');
    const library = await ReportLibrary.open(dir);
    expect(library.newestEntry()?.slug).toBe('twitter_ai_20260201_20260201');
    expect((await library.latest())?.slug).toBe('twitter_ai_20260122_20260122');
    await expect(library.findByDate('2026-02-01')).rejects.toBeInstanceOf(ReportParseError);
  });

  it('finds a report by a date inside a range report', async () => {
    const library = await ReportLibrary.open(dir);
    for (const date of ['2026-01-05', '2026-01-08', '2026-01-11']) {
      expect((await library.findByDate(date)).slug).toBe('twitter_ai_20260105_20260111');
    }
    expect((await library.findByDate('2026-01-16')).slug).toBe('weekly-notes');
    expect((await library.findByDate('2025-12-27')).slug).toBe('twitter_ai_20251227_20251227');
  });

  it('prefers the report that starts latest when ranges overlap', async () => {
    writeFileSync(join(dir, 'twitter_ai_20260107_20260107.md'), readFileText('twitter_ai_20260105_20260111.md'));
    const library = await ReportLibrary.open(dir);
    expect(library.findEntry('2026-01-07')?.slug).toBe('twitter_ai_20260107_20260107');
    expect(library.findEntry('2026-01-06')?.slug).toBe('twitter_ai_20260105_20260111');
    expect(library.findEntry('2026-01-08')?.slug).toBe('twitter_ai_20260105_20260111');
  });

  it('names the nearest dates on a miss', async () => {
    const library = await ReportLibrary.open(dir);
    const error = await library.findByDate('2026-01-13').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportNotFoundError);
    expect((error as ReportNotFoundError).nearest).toEqual({ before: '2026-01-11', after: '2026-01-15' });
    expect(library.nearest('2025-01-01')).toEqual({ before: null, after: '2025-12-27' });
    expect(library.nearest('2027-01-01')).toEqual({ before: '2026-01-22', after: null });
    expect(library.findEntry('2026-01-04')).toBeNull();
    await expect(library.findByDate('2026-02-30')).rejects.toBeInstanceOf(InvalidDateError);
  });

  it('caches a parse until the file changes', async () => {
    const library = await ReportLibrary.open(dir);
    const entry = library.findEntry('2026-01-03')!;
    const first = await library.load(entry);
    expect(await library.load(entry)).toBe(first);
    appendFileSync(entry.file, '\n<!-- edited -->\n');
    const second = await library.load(entry);
    expect(second).not.toBe(first);
    expect(second.contentHash).not.toBe(first.contentHash);
    unlinkSync(entry.file);
    await expect(library.load(entry)).rejects.toMatchObject({ name: 'ReportParseError', reason: 'file no longer exists' });
  });

  it('refresh() notices added, changed and removed files', async () => {
    const library = await ReportLibrary.open(dir);
    expect(await library.refresh()).toEqual({ added: [], changed: [], removed: [] });

    writeFileSync(join(dir, 'twitter_ai_20260123_20260123.md'), readFileText('twitter_ai_20260105_20260111.md'));
    appendFileSync(join(dir, 'twitter_ai_20260103_20260103.md'), '\n');
    unlinkSync(join(dir, 'twitter_ai_20251227_20251227.md'));
    const change = await library.refresh();
    expect(change.added.map((e) => e.slug)).toEqual(['twitter_ai_20260123_20260123']);
    expect(change.changed.map((e) => e.slug)).toEqual(['twitter_ai_20260103_20260103']);
    expect(change.removed.map((e) => e.slug)).toEqual(['twitter_ai_20251227_20251227']);
    expect(library.newestEntry()?.slug).toBe('twitter_ai_20260123_20260123');
    expect(library.findEntry('2025-12-27')).toBeNull();

    // Same size, new mtime: still a change.
    const file = join(dir, 'twitter_ai_20260102_20260102.md');
    utimesSync(file, new Date('2030-01-01T00:00:00Z'), new Date('2030-01-01T00:00:00Z'));
    expect((await library.refresh()).changed.map((e) => e.slug)).toEqual(['twitter_ai_20260102_20260102']);
  });

  it('a problem file that gets fixed becomes an entry', async () => {
    const library = await ReportLibrary.open(dir);
    writeFileSync(join(dir, 'undated-notes.md'), `Twitter Ai 报告 (2026-01-24 至 2026-01-24)\n\n${readFileText('undated-notes.md')}`);
    const change = await library.refresh();
    expect(change.added.map((e) => [e.slug, e.dateStart])).toEqual([['undated-notes', '2026-01-24']]);
    expect(library.problems()).toEqual([]);
  });

  it('watch() reports a new file', async () => {
    const library = await ReportLibrary.open(dir);
    const changes: LibraryChange[] = [];
    // A short poll interval makes this pass even where fs.watch delivers nothing.
    const stop = library.watch((change) => changes.push(change), { intervalMs: 300 });
    try {
      writeFileSync(join(dir, 'twitter_ai_20260125_20260125.md'), readFileText('twitter_ai_20260105_20260111.md'));
      const seen = await eventually(() => changes.find((c) => c.added.some((e) => e.slug === 'twitter_ai_20260125_20260125')));
      expect(seen.removed).toEqual([]);
      expect(library.newestEntry()?.slug).toBe('twitter_ai_20260125_20260125');
    } finally {
      stop();
    }
  });

  it('every watcher hears a change, even one a direct refresh() found first', async () => {
    const library = await ReportLibrary.open(dir);
    const first: LibraryChange[] = [];
    const second: LibraryChange[] = [];
    // Long polls: the direct refresh below is what finds the file (as the scheduler's does before a tick).
    const stopFirst = library.watch((change) => first.push(change), { intervalMs: 60_000 });
    const stopSecond = library.watch((change) => second.push(change), { intervalMs: 60_000 });
    try {
      writeFileSync(join(dir, 'twitter_ai_20260126_20260126.md'), readFileText('twitter_ai_20260105_20260111.md'));
      const change = await library.refresh();
      expect(change.added.map((e) => e.slug)).toEqual(['twitter_ai_20260126_20260126']);
      for (const heard of [first, second]) {
        expect(heard.flatMap((c) => c.added.map((e) => e.slug))).toContain('twitter_ai_20260126_20260126');
      }
    } finally {
      stopFirst();
      stopSecond();
    }
  });
});

/** A file's text from the temp folder, or from the variant fixtures when it is not there. */
function readFileText(name: string): string {
  const source = readdirSync(dir).includes(name) ? join(dir, name) : fixture('variants', name);
  return readFileSync(source, 'utf8');
}
