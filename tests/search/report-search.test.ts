import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportLibrary } from '../../src/report/library.ts';
import { ReportSearch } from '../../src/search/report-search.ts';
import { libraryWithDates } from '../commands/command-harness.ts';

const CONTENT_DIR = path.resolve(import.meta.dirname, '../../content');

/** The highlighted words of a hit, as the reader sees them marked. */
const marked = (hit: { snippet: string; highlights: Array<[number, number]> }): string[] => hit.highlights.map(([s, e]) => hit.snippet.slice(s, e));

describe('ReportSearch over content/', () => {
  let dir: string;
  let library: ReportLibrary;
  let search: ReportSearch;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'search-'));
    for (const name of readdirSync(CONTENT_DIR)) copyFileSync(path.join(CONTENT_DIR, name), path.join(dir, name));
    library = await ReportLibrary.open(dir);
    search = new ReportSearch(library);
    await search.start();
  });
  afterAll(async () => {
    await search.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('indexes every report', () => {
    expect(search.size).toBe(library.entries().length);
  });

  it('finds a word that occurs in exactly one report, with the sentence and the word highlighted', async () => {
    const result = await search.search('具身智能');
    expect(result.hits.map((h) => h.dateStart)).toEqual(['2026-01-02']);
    expect(result.total).toBe(1);
    expect(marked(result.hits[0]!)).toEqual(['具身智能']);
    // An English name found in one report only, whatever its case or width.
    for (const query of ['Cursor', 'cursor', 'ＣＵＲＳＯＲ']) {
      const found = await search.search(query);
      expect(found.hits.map((h) => h.dateStart)).toEqual(['2026-01-01']);
      expect(marked(found.hits[0]!).map((w) => w.toLowerCase())).toContain('cursor');
    }
  });

  it('ranks the report that talks most about the words first', async () => {
    // RLM: three times on 2026-01-03, once on 2026-01-02.
    const result = await search.search('RLM');
    expect(result.hits.map((h) => h.dateStart)).toEqual(['2026-01-03', '2026-01-02']);
  });

  it('nothing found: no hits, and the closest indexed terms as suggestions', async () => {
    const result = await search.search('Cluade');
    expect(result.hits).toEqual([]);
    expect(result.suggestions).toContain('claude');
    const nothing = await search.search('量子纠缠');
    expect(nothing.hits).toEqual([]);
  });

  it('markup and very long queries are just words: no throw, nothing odd found', async () => {
    const script = await search.search('<script>alert(1)</script>');
    expect(script.hits).toEqual([]);
    const long = await search.search('模型'.repeat(1000));
    expect(long.terms.length).toBeLessThanOrEqual(32);
    expect(long.hits.length).toBeGreaterThan(0);
    const junk = await search.search('x'.repeat(2000));
    expect(junk.hits).toEqual([]);
  });

  it('a new report is searchable without a restart, and a removed one is gone', async () => {
    const text = readFileSync(path.join(CONTENT_DIR, 'twitter_ai_20260103_20260103.md'), 'utf8').replace('递归语言模型', '递归语言模型与量子纠缠');
    const file = path.join(dir, 'twitter_ai_20260201_20260201.md');
    writeFileSync(file, text);
    await library.refresh();
    await search.idle();
    expect((await search.search('量子纠缠')).hits.map((h) => h.dateStart)).toEqual(['2026-02-01']);
    rmSync(file);
    await library.refresh();
    await search.idle();
    expect((await search.search('量子纠缠')).hits).toEqual([]);
  });
});

describe('ReportSearch ranking among equals', () => {
  it('reports with the same text come newest first', async () => {
    const library = await libraryWithDates(['2025-06-01', '2025-06-03', '2025-06-02']);
    const search = new ReportSearch(library);
    await search.start();
    const result = await search.search('递归语言模型');
    expect(result.hits.map((h) => h.dateStart)).toEqual(['2025-06-03', '2025-06-02', '2025-06-01']);
    await search.stop();
  });
});

describe('ReportSearch cache file', () => {
  it('a restart reads unchanged reports\' terms from the cache and finds the same', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'search-cache-'));
    for (const name of readdirSync(CONTENT_DIR)) copyFileSync(path.join(CONTENT_DIR, name), path.join(dir, name));
    const cacheFile = path.join(dir, 'data', 'search-index.bin');
    const library = await ReportLibrary.open(dir);
    const first = new ReportSearch(library, { cacheFile });
    await first.start();
    const expected = await first.search('具身智能');
    await first.stop();
    expect(readFileSync(cacheFile).length).toBeGreaterThan(0);

    // Same size and modification time, different words: only a restart that reads the cache still finds the old word.
    const changed = path.join(dir, 'twitter_ai_20260102_20260102.md');
    const { mtime, atime } = statSync(changed);
    writeFileSync(changed, readFileSync(changed, 'utf8').replaceAll('具身智能', '量子纠缠'));
    utimesSync(changed, atime, mtime);
    const restarted = new ReportSearch(library, { cacheFile });
    await restarted.start();
    expect(restarted.size).toBe(library.entries().length);
    expect((await restarted.search('具身智能')).hits.map((h) => h.dateStart)).toEqual(expected.hits.map((h) => h.dateStart));
    await restarted.stop();

    // A cache that is not ours is ignored, not fatal: the files are read again.
    writeFileSync(cacheFile, 'garbage');
    const fresh = new ReportSearch(library, { cacheFile });
    await fresh.start();
    expect((await fresh.search('量子纠缠')).hits.map((h) => h.dateStart)).toEqual(['2026-01-02']);
    await fresh.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});
