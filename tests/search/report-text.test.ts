import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportIndexText, reportSentences } from '../../src/search/report-text.ts';
import { indexTerms } from '../../src/search/tokenize.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reports');
const CONTENT = path.resolve(import.meta.dirname, '../../content');

/** Every report file of content/ and of the fixture folders (seeds, variants, errors …). */
function reportFiles(): string[] {
  const folders = [CONTENT, FIXTURES, ...readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(FIXTURES, d.name))];
  return folders.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.md')).map((name) => path.join(folder, name)));
}

const counted = (terms: string[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const term of terms) counts[term] = (counts[term] ?? 0) + 1;
  return counts;
};

describe('reportIndexText: the text the index reads, in one pass', () => {
  it('yields exactly the terms of the report\'s sentences, counts included, for every report we have', () => {
    const files = reportFiles();
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const markdown = readFileSync(file, 'utf8');
      expect(counted(indexTerms(reportIndexText(markdown))), path.basename(file)).toEqual(counted(indexTerms(reportSentences(markdown).join('\n'))));
    }
  });

  it('leaves out front matter, fences, rules, table separators, link targets and list numbers', () => {
    const markdown = ['---', 'title: 前言标题', '---', '# 标题', '1. 第一点 [链接文字](https://example.com/path)', '```ts', '---', '| a | b |', '|---|---|', '2) 第二点'].join('\n');
    const terms = indexTerms(reportIndexText(markdown));
    expect(terms).not.toContain('前言');
    expect(terms).not.toContain('example');
    expect(terms).not.toContain('ts');
    expect(terms).not.toContain('1');
    expect(terms).not.toContain('2');
    expect(terms).toEqual(expect.arrayContaining(['标题', '链接', 'a', 'b']));
  });
});
