import { clipAround, findHighlights } from './highlight.ts';
import { reportBody, reportSentences } from './report-text.ts';
import { foldText } from './tokenize.ts';

/** The longest snippet shown for a hit, in UTF-16 units (plus the `…` where it is cut). */
export const SNIPPET_CHARS = 160;

/** A snippet and the `[start, end)` ranges of it to highlight. */
export interface Snippet {
  text: string;
  highlights: Array<[number, number]>;
}

/** A sentence of a report and the same folded. */
interface Sentence {
  text: string;
  folded: string;
}

/**
 * A report's text made ready for snippets: its lines (front matter left out, as the index leaves it
 * out), the same lines folded, and each line's sentences once they have been needed. Worth keeping
 * for a report shown often: decoding the file's UTF-8, folding it and cutting its lines into
 * sentences cost more than everything else a snippet does.
 */
export interface SnippetSource {
  readonly lines: readonly string[];
  readonly folded: readonly string[];
  /** Line `i`'s sentences, cut on first use. */
  readonly sentences: Array<readonly Sentence[] | undefined>;
  /** Snippets already chosen, by their query terms: a common query shows the same reports again. */
  readonly chosen: Map<string, Snippet>;
}

/** At most this many snippets are remembered per report (then they are forgotten all at once). */
const CHOSEN_PER_SOURCE = 32;

/** The report file's text as {@link bestSnippet} reads it. */
export function snippetSource(markdown: string): SnippetSource {
  const lines = reportBody(markdown).split('\n');
  // Folded once as a whole (NFKC keeps line breaks), not line by line.
  let folded = foldText(lines.join('\n')).split('\n');
  if (folded.length !== lines.length) folded = lines.map(foldText);
  return { lines, folded, sentences: [], chosen: new Map() };
}

function sentencesOf(source: SnippetSource, line: number): readonly Sentence[] {
  let sentences = source.sentences[line];
  if (!sentences) {
    sentences = reportSentences(source.lines[line]!).map((text) => ({ text, folded: foldText(text) }));
    source.sentences[line] = sentences;
  }
  return sentences;
}

/**
 * The sentence of a report that shows `matched` (folded query terms the report contains) best:
 * the one with the most distinct terms, the earliest among equals, the terms highlighted and the
 * whole clipped to {@link SNIPPET_CHARS} around the first. Only lines holding a term are cut into
 * sentences, in order, and the scan stops at the first sentence holding every term, so a one-word
 * query costs the lines up to its first sentence. No sentence holding a term (the word was in a
 * link's target, say): the first sentence of those lines, unhighlighted.
 */
export function bestSnippet(source: SnippetSource, matched: readonly string[]): Snippet {
  const key = matched.join('\n');
  let snippet = source.chosen.get(key);
  if (!snippet) {
    snippet = chooseSnippet(source, matched);
    if (source.chosen.size >= CHOSEN_PER_SOURCE) source.chosen.clear();
    source.chosen.set(key, snippet);
  }
  // A copy: the caller owns what it is given.
  return { text: snippet.text, highlights: snippet.highlights.map(([start, end]): [number, number] => [start, end]) };
}

function chooseSnippet(source: SnippetSource, matched: readonly string[]): Snippet {
  let first: string | undefined;
  let best: { text: string; found: number } | null = null;
  lines: for (let i = 0; i < source.lines.length; i++) {
    const foldedLine = source.folded[i]!;
    if (!matched.some((term) => foldedLine.includes(term))) continue;
    for (const sentence of sentencesOf(source, i)) {
      first ??= sentence.text;
      let found = 0;
      for (const term of matched) if (sentence.folded.includes(term)) found += 1;
      if (found === 0 || (best && found <= best.found)) continue;
      best = { text: sentence.text, found };
      if (found === matched.length) break lines;
    }
  }
  if (!best) return { text: first?.slice(0, SNIPPET_CHARS) ?? '', highlights: [] };
  return clipAround(best.text, findHighlights(best.text, matched), SNIPPET_CHARS);
}
