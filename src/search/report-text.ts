/**
 * The readable text of a report file for search: every section, not only the core points, with
 * markdown markup removed, cut into sentences (a point's title is its own sentence). Fast and
 * regex-based on purpose: ten years of reports are read at start-up, where a full markdown parse
 * of each would cost seconds.
 */

const FRONT_MATTER = /^\uFEFF?---\r?\n[\s\S]*?\r?\n---\r?\n/;
/** Lines that are markup only: code fences, rules, table separators (as reportSentences skips them). */
const MARKUP_LINE = /^\s*(?:```|---|\|?\s*:?-{3,}).*$/gm;
/** A link's or an image's target (`](url)`): not the reader's words. */
const LINK_TARGET = /\]\([^)]*\)/g;
/** A numbered list item's number (`1. `, `2) `). */
const LIST_NUMBER = /^\s{0,3}\d+[.)]\s+/gm;
const SENTENCE_END = /(?<=[。！？!?；;])\s*/u;
const MAX_SENTENCE = 300;

function stripInline(line: string): string {
  return line
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
    .replace(/\*\*|__|`/g, '')
    .replace(/^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/, '')
    .replace(/\|/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A report file's text without its front matter (the layout, title and dates the site reads). */
export function reportBody(markdown: string): string {
  return markdown.replace(FRONT_MATTER, '');
}

/** The sentences of a report file's text, in order, markup removed; each at most 300 characters. */
export function reportSentences(markdown: string): string[] {
  const body = reportBody(markdown);
  const sentences: string[] = [];
  for (const raw of body.split(/\r?\n/)) {
    if (/^\s*(?:```|---|\|?\s*:?-{3,})/.test(raw)) continue;
    const line = stripInline(raw);
    if (line === '') continue;
    // `**title**：detail` reads best with the title as its own sentence.
    const titled = /^(.{1,60}?)[：:]\s*(.+)$/u.exec(line);
    const parts = titled && /\*\*/.test(raw) ? [titled[1]!, titled[2]!] : [line];
    for (const part of parts) {
      for (const sentence of part.split(SENTENCE_END)) {
        const trimmed = sentence.trim();
        if (!/[\p{L}\p{N}]/u.test(trimmed)) continue;
        for (let i = 0; i < trimmed.length; i += MAX_SENTENCE) sentences.push(trimmed.slice(i, i + MAX_SENTENCE));
      }
    }
  }
  return sentences;
}

/**
 * The words of a report file as the index reads them: the same words as {@link reportSentences},
 * in one pass over the whole text instead of line by line (front matter, markup-only lines, link
 * targets and list numbers removed; the other markup is punctuation the tokenizer skips anyway).
 * Indexing ten years of reports spends its time here and in jieba, so this stays a few regexes.
 */
export function reportIndexText(markdown: string): string {
  return reportBody(markdown).replace(MARKUP_LINE, '').replace(LINK_TARGET, ']').replace(LIST_NUMBER, '');
}
