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

/**
 * A report's text made ready for snippets: its lines (front matter left out, as the index leaves it
 * out) and the same lines folded. Worth keeping for a report shown often: decoding the file's
 * UTF-8 and folding it cost more than everything else a snippet does.
 */
export interface SnippetSource {
  lines: readonly string[];
  folded: readonly string[];
}

/** The report file's text as {@link bestSnippet} reads it. */
export function snippetSource(markdown: string): SnippetSource {
  const lines = reportBody(markdown).split('\n');
  // Folded once as a whole (NFKC keeps line breaks), not line by line.
  let folded = foldText(lines.join('\n')).split('\n');
  if (folded.length !== lines.length) folded = lines.map(foldText);
  return { lines, folded };
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
  let first: string | undefined;
  let best: { text: string; found: number } | null = null;
  lines: for (let i = 0; i < source.lines.length; i++) {
    const foldedLine = source.folded[i]!;
    if (!matched.some((term) => foldedLine.includes(term))) continue;
    for (const sentence of reportSentences(source.lines[i]!)) {
      first ??= sentence;
      const folded = foldText(sentence);
      const found = matched.filter((term) => folded.includes(term)).length;
      if (found === 0 || (best && found <= best.found)) continue;
      best = { text: sentence, found };
      if (found === matched.length) break lines;
    }
  }
  if (!best) return { text: first?.slice(0, SNIPPET_CHARS) ?? '', highlights: [] };
  return clipAround(best.text, findHighlights(best.text, matched), SNIPPET_CHARS);
}
