import { cutChinese } from '../text/chinese-words.ts';

/**
 * Folds text for matching: NFKC turns full-width forms into half-width ones (`ＧＰＴ－５` →
 * `GPT-5`, `１２` → `12`, the ideographic space → a space), then everything is lower-cased.
 */
export function foldText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * One character folded as {@link foldText} folds it, without ICU for the characters that never
 * change (ASCII but for its capitals, the common CJK ideographs U+4E00–U+9FFF): highlighting folds
 * a snippet one character at a time.
 */
export function foldCharacter(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? String.fromCharCode(code + 0x20) : char;
  if (code >= 0x4e00 && code <= 0x9fff) return char;
  return foldText(char);
}

/** Latin letters and digits joined by `.`, `-`, `_`, `+` (as the word cloud reads them: `gpt-5.2`, `kv-cache`). */
const ASCII_TERM = /[a-z0-9](?:[a-z0-9]|[.\-_+](?=[a-z0-9]))*/g;
const HAN = /\p{Script=Han}/u;
/** What lies between Chinese runs: replaced by a line break, where jieba cuts anyway. */
const NOT_HAN = /[^\p{Script=Han}]+/gu;
/** Function words too common to mean anything in a query or an index (each one character: hanWords relies on it). */
const HAN_STOP = new Set(['的', '了', '是', '在', '和', '与', '也', '等', '对', '中', '及', '或', '将', '被', '为', '这', '那', '就', '都', '而']);

function hanWords(text: string, forSearch: boolean, visit: (word: string) => void): void {
  if (!HAN.test(text)) return;
  // One call to jieba for all the runs, a line break between them (jieba cuts there anyway): a
  // report has a few hundred runs, and a call each cost about a quarter of the segmenting. One
  // replace rather than collecting the runs and joining them: a tenth of the index's time went there.
  for (const word of cutChinese(text.replace(NOT_HAN, '\n'), forSearch)) {
    // Every stop word is one character: longer words skip the set.
    if (word.length > 1 || (word !== '\n' && !HAN_STOP.has(word))) visit(word);
  }
}

/** A Latin term joining parts (`gpt-5.2`, `kv_cache`): indexed by its parts too. */
const JOINED = /[-_+]/;
const PART_SEPARATOR = /[-_+]/;

/**
 * Calls `visit` with each term a report's text is indexed under, in order, repeats included (see
 * {@link indexTerms}), without collecting them: the index counts them as they come.
 */
export function visitIndexTerms(text: string, visit: (term: string) => void): void {
  const folded = foldText(text);
  hanWords(folded, true, visit);
  for (const [term] of folded.matchAll(ASCII_TERM)) {
    visit(term);
    // Most terms join nothing: test before splitting, which allocates.
    if (!JOINED.test(term)) continue;
    const parts = term.split(PART_SEPARATOR).filter((p) => p !== '');
    if (parts.length > 1) for (const part of parts) visit(part);
  }
}

/**
 * The terms a report's text is indexed under: its Chinese words (jieba, with the shorter words
 * inside long ones) and its Latin terms whole plus their parts (`gpt-5.2` also as `gpt`, `5.2`),
 * all folded. Repeats are kept: their counts are the term frequencies.
 */
export function indexTerms(text: string): string[] {
  const out: string[] = [];
  visitIndexTerms(text, (term) => out.push(term));
  return out;
}

/** The distinct terms of a query: Chinese words as jieba cuts them, Latin terms whole, folded; at most `max`. */
export function queryTerms(text: string, max = 32): string[] {
  const folded = foldText(text);
  const out: string[] = [];
  hanWords(folded, false, (word) => out.push(word));
  for (const [term] of folded.matchAll(ASCII_TERM)) out.push(term);
  return [...new Set(out)].slice(0, max);
}
