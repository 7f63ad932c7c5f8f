import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportIndexText } from '../../src/search/report-text.ts';
import { reportTerms, visitReportTerms } from '../../src/search/report-terms.ts';
import { SearchIndex } from '../../src/search/search-index.ts';
import { foldText } from '../../src/search/tokenize.ts';
import { cutChinese } from '../../src/text/chinese-words.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reports');
const CONTENT = path.resolve(import.meta.dirname, '../../content');
/** The reports shared between sessions (real ones), when this checkout has them beside it. */
const SHARED = path.resolve(import.meta.dirname, '../../../shared/reports');

function reportFiles(): string[] {
  const folders = [CONTENT, FIXTURES, ...readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(FIXTURES, d.name))];
  if (existsSync(SHARED)) folders.push(SHARED);
  return folders.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.md')).map((name) => path.join(folder, name)));
}

/**
 * The counting as it was before the index counted terms as jieba yields them (every occurrence
 * listed, then counted in a map; every Latin term split): the new one must give the same lists.
 */
function referenceTerms(markdown: string): { names: string[]; counts: number[] } {
  const folded = foldText(reportIndexText(markdown));
  const stop = new Set(['的', '了', '是', '在', '和', '与', '也', '等', '对', '中', '及', '或', '将', '被', '为', '这', '那', '就', '都', '而']);
  const out: string[] = [];
  const runs = Array.from(folded.matchAll(/[\p{Script=Han}]+/gu), (m) => m[0]);
  if (runs.length > 0) for (const word of cutChinese(runs.join('\n'), true)) if (word !== '\n' && !stop.has(word)) out.push(word);
  for (const [term] of folded.matchAll(/[a-z0-9](?:[a-z0-9]|[.\-_+](?=[a-z0-9]))*/g)) {
    out.push(term);
    const parts = term.split(/[-_+]/).filter((p) => p !== '');
    if (parts.length > 1) out.push(...parts);
  }
  const counts = new Map<string, number>();
  for (const term of out) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { names: [...counts.keys()], counts: [...counts.values()] };
}

describe('reportTerms: a report\'s distinct terms and counts, counted as they come', () => {
  it('gives the same names, in the same order, with the same counts as listing then counting, for every report we have', () => {
    const files = reportFiles();
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const markdown = readFileSync(file, 'utf8');
      expect(reportTerms(markdown), path.basename(file)).toEqual(referenceTerms(markdown));
    }
  });

  it('counts repeats and indexes joined Latin terms by their parts too', () => {
    const terms = reportTerms('GPT-5.2 与 gpt-5.2 发布，模型 模型 kv_cache');
    const count = (name: string): number | undefined => terms.counts[terms.names.indexOf(name)];
    expect(count('gpt-5.2')).toBe(2);
    expect(count('gpt')).toBe(2);
    expect(count('5.2')).toBe(2);
    expect(count('模型')).toBe(2);
    expect(count('kv')).toBe(1);
    expect(count('cache')).toBe(1);
    expect(terms.names).not.toContain('与');
  });
});

describe('SearchIndex.addEach: terms posted as they come', () => {
  it('builds the same index, postings and lengths included, as addTerms with each report\'s counted terms', () => {
    const files = reportFiles();
    const counted = new SearchIndex();
    const streamed = new SearchIndex();
    for (const file of files) {
      const markdown = readFileSync(file, 'utf8');
      const doc = { slug: file, dateStart: '2026-01-01', dateEnd: '2026-01-01' };
      const terms = reportTerms(markdown);
      counted.addTerms(doc, terms.names, terms.counts);
      streamed.addEach(doc, (visit) => visitReportTerms(markdown, visit));
    }
    // Saved and loaded again, then a report added once more: typed postings go back to arrays.
    const again = SearchIndex.fromState(streamed.exportState());
    const first = readFileSync(files[0]!, 'utf8');
    again.addEach({ slug: 'again', dateStart: '2026-02-01', dateEnd: '2026-02-01' }, (visit) => visitReportTerms(first, visit));
    const expected = SearchIndex.fromState(counted.exportState());
    const firstTerms = reportTerms(first);
    expected.addTerms({ slug: 'again', dateStart: '2026-02-01', dateEnd: '2026-02-01' }, firstTerms.names, firstTerms.counts);
    const plain = (index: SearchIndex) => {
      const state = index.exportState();
      return { docs: state.docs, postings: [...state.postings].map(([term, list]) => [term, [...list]]) };
    };
    expect(plain(streamed)).toEqual(plain(counted));
    expect(plain(again)).toEqual(plain(expected));
  });
});
