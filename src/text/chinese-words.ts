/**
 * Chinese word segmentation for everything that reads report text (the search index and the
 * word cloud): one jieba, with its default dictionary plus the curated AI words, so both cut the
 * same text the same way. Imports nothing of the project but the term list beside it.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { AI_CHINESE_TERMS } from './ai-terms.ts';

/** A word as jieba cuts it, with its part-of-speech tag (`n`, `nr`, `v`, `eng` …). */
export interface TaggedWord {
  word: string;
  tag: string;
}

let jieba: Jieba | null = null;
const aiWords: ReadonlySet<string> = new Set(AI_CHINESE_TERMS);

/** Loaded on first use: the dictionary takes a few hundred milliseconds to load. */
function segmenter(): Jieba {
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    // A high frequency makes the curated word win over the dictionary's split of it.
    jieba.loadDict(Buffer.from(AI_CHINESE_TERMS.map((w) => `${w} 200000 n`).join('\n'), 'utf8'));
  }
  return jieba;
}

/**
 * Loads jieba's dictionaries on this thread now (a few hundred milliseconds, holding the event
 * loop) instead of at the first text cut: the search index built on worker threads calls it while
 * they work, so a reader's first query does not pay for it.
 */
export function loadSegmenter(): void {
  segmenter();
}

/**
 * Every word jieba finds in `text` (HMM on for words not in the dictionary). `forSearch` also
 * yields the shorter words inside long ones (`大语言模型` → `语言`, `模型`, `大语言模型`), for indexing.
 */
export function cutChinese(text: string, forSearch: boolean): string[] {
  return forSearch ? segmenter().cutForSearch(text, true) : segmenter().cut(text, true);
}

/** The words of `text` with their part-of-speech tags, as the word cloud chooses its terms. */
export function tagChinese(text: string): TaggedWord[] {
  return segmenter().tag(text, true);
}

/** Whether `word` is one of the curated AI words (kept whatever jieba tags it). */
export function isAiWord(word: string): boolean {
  return aiWords.has(word);
}
