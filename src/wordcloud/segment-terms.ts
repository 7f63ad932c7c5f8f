import { AI_ENGLISH_PHRASES } from '../text/ai-terms.ts';
import { isAiWord, tagChinese } from '../text/chinese-words.ts';

/**
 * An English/ASCII term: letters and digits joined by `.`, `-`, `_` or `+` without spaces, so
 * `GPT-5.2`, `GLM-4.7-Flash`, `KV-cache` and `HBM4` come out whole (jieba would cut them at every
 * punctuation mark).
 */
const ASCII_TERM = /[A-Za-z0-9](?:[A-Za-z0-9]|[.\-_+](?=[A-Za-z0-9]))*\+*/g;
const HAS_HAN = /\p{Script=Han}/u;
/** jieba tags worth a place in a cloud: nouns, names, idioms, abbreviations, noun-verbs. */
const KEPT_TAGS = /^(?:n|nr|nrt|ns|nt|nz|vn|l|i|j|eng|x)$/;

/** One term as it appeared in the text, with whether it is a segmented Chinese word. */
export interface SegmentedTerm {
  text: string;
  /** True for a Chinese word from the segmenter; false for an English/ASCII term or name. */
  han: boolean;
}

/**
 * Splits text into candidate cloud terms: Chinese with jieba (plus the curated AI words) keeping
 * only content words of two characters or more; English and mixed terms whole, with words
 * separated by one space merged into one name (`Claude Code`, `Khan Academy`, `vibe coding`) when
 * the name is curated or occurs at least twice in the text. Stop words are not removed here (see extract-terms).
 */
export function segmentTerms(text: string): SegmentedTerm[] {
  const out: SegmentedTerm[] = [];
  const ascii = [...text.matchAll(ASCII_TERM)].map((m) => ({ word: m[0], start: m.index, end: m.index + m[0].length }));
  const phraseCounts = new Map<string, number>();
  const runs = groupRuns(ascii, text);
  for (const run of runs) countPhrases(run.map((a) => a.word), phraseCounts);

  let cursor = 0;
  for (const run of runs) {
    const first = run[0];
    const last = run[run.length - 1];
    if (!first || !last) continue;
    pushHan(text.slice(cursor, first.start), out);
    for (const term of mergeNames(run.map((a) => a.word), phraseCounts)) out.push({ text: term, han: false });
    cursor = last.end;
  }
  pushHan(text.slice(cursor), out);
  return out;
}

/** Groups ASCII terms separated by exactly one space into runs (candidate multi-word names and phrases). */
function groupRuns(ascii: { word: string; start: number; end: number }[], text: string) {
  const runs: { word: string; start: number; end: number }[][] = [];
  let current: { word: string; start: number; end: number }[] = [];
  for (const term of ascii) {
    const prev = current[current.length - 1];
    if (prev && text.slice(prev.end, term.start) === ' ') {
      current.push(term);
    } else {
      if (current.length > 0) runs.push(current);
      current = [term];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

function countPhrases(words: string[], counts: Map<string, number>): void {
  for (let i = 0; i < words.length; i++) {
    for (let j = i + 2; j <= words.length; j++) {
      const phrase = words.slice(i, j).join(' ');
      counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
    }
  }
}

const CURATED_PHRASES = new Set(AI_ENGLISH_PHRASES.map((p) => p.toLowerCase()));

/** Greedy longest match: a name when curated or repeated in the text, else single words. */
function mergeNames(words: string[], counts: Map<string, number>): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < words.length) {
    let taken = 1;
    for (let j = words.length; j >= i + 2; j--) {
      const phrase = words.slice(i, j).join(' ');
      if ((counts.get(phrase) ?? 0) >= 2 || CURATED_PHRASES.has(phrase.toLowerCase())) {
        taken = j - i;
        break;
      }
    }
    out.push(words.slice(i, i + taken).join(' '));
    i += taken;
  }
  return out;
}

function pushHan(segment: string, out: SegmentedTerm[]): void {
  if (!HAS_HAN.test(segment)) return;
  for (const { word, tag } of tagChinese(segment)) {
    if (!HAS_HAN.test(word) || [...word].length < 2) continue;
    if (isAiWord(word) || KEPT_TAGS.test(tag)) out.push({ text: word, han: true });
  }
}

