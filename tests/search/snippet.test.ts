import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clipAround, findHighlights } from '../../src/search/highlight.ts';
import { reportBody, reportSentences } from '../../src/search/report-text.ts';
import { bestSnippet, SNIPPET_CHARS, snippetSource } from '../../src/search/snippet.ts';
import { foldCharacter, foldText, queryTerms } from '../../src/search/tokenize.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/reports');
const CONTENT = path.resolve(import.meta.dirname, '../../content');

function reportFiles(): string[] {
  const folders = [CONTENT, FIXTURES, ...readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => path.join(FIXTURES, d.name))];
  return folders.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.md')).map((name) => path.join(folder, name)));
}

/**
 * The snippet as it was chosen before the scan learnt to stop early: every line holding a term
 * cut into sentences, each sentence folded and counted, the first with the most terms kept.
 */
function everySentenceSnippet(markdown: string, matched: readonly string[]): { text: string; highlights: Array<[number, number]> } {
  const lines = reportBody(markdown).split('\n');
  const holding = lines.filter((line) => matched.some((term) => foldText(line).includes(term)));
  const sentences = reportSentences(holding.join('\n'));
  let best: { text: string; found: number } | null = null;
  for (const sentence of sentences) {
    const found = matched.filter((term) => foldText(sentence).includes(term)).length;
    if (found > 0 && (!best || found > best.found)) best = { text: sentence, found };
  }
  if (!best) return { text: sentences[0]?.slice(0, SNIPPET_CHARS) ?? '', highlights: [] };
  return clipAround(best.text, findHighlights(best.text, matched), SNIPPET_CHARS);
}

const QUERIES = ['模型', 'RLM', 'Claude Code', '智能体 推理', '开源 模型 发布', 'ＧＰＴ', 'gpt-5.2', 'AI 编程', 'Twitter 报告', 'https', '量子计算', 'TPU HBM4 显存'];

describe('bestSnippet', () => {
  it('chooses the same sentence and highlights as reading every sentence, for every report we have', () => {
    const files = reportFiles();
    expect(files.length).toBeGreaterThan(20);
    let compared = 0;
    for (const file of files) {
      const markdown = readFileSync(file, 'utf8');
      const source = snippetSource(markdown);
      const folded = foldText(reportBody(markdown));
      for (const query of QUERIES) {
        const matched = queryTerms(query).filter((term) => folded.includes(term));
        if (matched.length === 0) continue;
        compared += 1;
        expect(bestSnippet(source, matched), `${path.basename(file)}: ${query}`).toEqual(everySentenceSnippet(markdown, matched));
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('never shows the front matter, which the index leaves out', () => {
    const markdown = ['---', 'title: "twitter_ai_20260103_20260103"', 'layout: post', '---', '', 'Twitter AI 报告：模型发布'].join('\n');
    const snippet = bestSnippet(snippetSource(markdown), ['twitter']);
    expect(snippet.text).toBe('Twitter AI 报告：模型发布');
    expect(snippet.highlights).toEqual([[0, 7]]);
  });

  it('prefers the sentence with more of the words, the earliest among equals, and clips around the first', () => {
    const long = `${'背景介绍。'.repeat(20)}这里讲开源模型的发布情况，${'补充说明'.repeat(40)}`;
    const markdown = ['只讲模型。', '开源模型首次发布。', '开源的模型也已发布。', long].join('\n');
    expect(bestSnippet(snippetSource(markdown), ['模型']).text).toBe('只讲模型。');
    expect(bestSnippet(snippetSource(markdown), ['开源', '模型', '发布']).text).toBe('开源模型首次发布。');
    const clipped = bestSnippet(snippetSource(long), ['开源', '模型', '发布']);
    expect(clipped.text.length).toBeLessThanOrEqual(SNIPPET_CHARS + 2);
    expect(clipped.text.endsWith('…')).toBe(true);
    // Touching highlights are merged into one.
    expect(clipped.highlights.map(([s, e]) => clipped.text.slice(s, e))).toEqual(['开源模型', '发布']);
  });
});

describe('bestSnippet remembered per report', () => {
  it('a query asked again gets the same snippet, and what a caller does with one is not seen by the next', () => {
    const source = snippetSource(['只讲模型。', '开源模型首次发布。'].join('\n'));
    const first = bestSnippet(source, ['开源', '模型']);
    first.highlights.push([0, 1]);
    first.highlights[0]![0] = 99;
    expect(bestSnippet(source, ['开源', '模型'])).toEqual({ text: '开源模型首次发布。', highlights: [[0, 4]] });
    expect(bestSnippet(source, ['模型'])).toEqual({ text: '只讲模型。', highlights: [[2, 4]] });
  });
});

describe('foldCharacter', () => {
  it('folds every character of the Basic Multilingual Plane as foldText does', () => {
    for (let code = 0; code <= 0xffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const char = String.fromCharCode(code);
      if (foldCharacter(char) !== foldText(char)) expect(foldCharacter(char), `U+${code.toString(16)}`).toBe(foldText(char));
    }
  });
});
