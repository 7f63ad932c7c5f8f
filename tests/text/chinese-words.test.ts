import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexTerms, queryTerms } from '../../src/search/tokenize.ts';
import { AI_CHINESE_TERMS } from '../../src/text/ai-terms.ts';
import { cutChinese, isAiWord, tagChinese } from '../../src/text/chinese-words.ts';
import { segmentTerms } from '../../src/wordcloud/segment-terms.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** The module specifiers a folder's files import (static imports and re-exports), per file. */
function importsOf(folder: string): Array<{ file: string; from: string }> {
  const found: Array<{ file: string; from: string }> = [];
  for (const name of readdirSync(path.join(SRC, folder)).filter((n) => n.endsWith('.ts'))) {
    const text = readFileSync(path.join(SRC, folder, name), 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) found.push({ file: `${folder}/${name}`, from: match[1]! });
  }
  return found;
}

describe('one text module for search and the word cloud', () => {
  it('src/text imports nothing of the project outside itself', () => {
    const outside = importsOf('text').filter(({ from }) => from.startsWith('.') && !from.startsWith('./'));
    expect(outside).toEqual([]);
  });

  it('jieba is loaded only in src/text; search and the word cloud do not import each other', () => {
    for (const folder of ['search', 'wordcloud']) {
      const imports = importsOf(folder);
      expect(imports.filter(({ from }) => from.startsWith('@node-rs/jieba'))).toEqual([]);
      const other = folder === 'search' ? 'wordcloud' : 'search';
      expect(imports.filter(({ from }) => from.includes(`../${other}/`))).toEqual([]);
    }
  });

  it('keeps every curated AI word whole, for a query, the index and the cloud alike', () => {
    for (const word of AI_CHINESE_TERMS.filter((w) => /^\p{Script=Han}+$/u.test(w))) {
      const sentence = `今天发布了${word}的新进展`;
      expect(cutChinese(sentence, false), word).toContain(word);
      expect(tagChinese(sentence).map((t) => t.word), word).toContain(word);
      expect(queryTerms(sentence), word).toContain(word);
      expect(indexTerms(sentence), word).toContain(word);
      expect(isAiWord(word)).toBe(true);
    }
    const cloud = segmentTerms('研究团队推出了新的大语言模型和多模态智能体').map((t) => t.text);
    expect(cloud).toEqual(expect.arrayContaining(['大语言模型', '多模态', '智能体']));
  });

  it('indexes the shorter words inside a long one, and a query finds the long one', () => {
    expect(indexTerms('大语言模型')).toEqual(expect.arrayContaining(['语言', '模型', '大语言模型']));
    expect(queryTerms('大语言模型')).toEqual(['大语言模型']);
    expect(isAiWord('今天')).toBe(false);
  });
});
