/**
 * Where to cut text so that a piece stays within a length budget: at a paragraph, sentence or
 * clause boundary when one lies reasonably far in, never inside a grapheme (surrogate pair, emoji
 * sequence, combining mark) and, when avoidable, never inside an ASCII word such as `GPT-5.2`.
 *
 * Used both to shorten details (report/condense) and to split overlong messages (render/*).
 */

/** How a budget is counted: Unicode code points ("characters") or UTF-16 code units (what Telegram and Discord measure). */
export type LengthUnit = 'codepoint' | 'utf16';

/** Boundary kinds, strongest first. */
export type BoundaryKind = 'newline' | 'sentence' | 'clause' | 'space';

const SENTENCE_CJK = new Set(['。', '！', '？', '…']);
const SENTENCE_ASCII = new Set(['.', '!', '?']);
const CLAUSE_CJK = new Set(['；', '，', '、', '：']);
const CLAUSE_ASCII = new Set([';', ',', ':']);
/** Closing marks that belong to the sentence before them (`。”`, `!)`). */
const CLOSERS = new Set(['”', '’', '"', "'", '）', ')', '」', '』', '】', '》', ']']);

const segmenter = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Length of `text` in the given unit. */
export function measure(text: string, unit: LengthUnit): number {
  if (unit === 'utf16') return text.length;
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** A place to cut: the piece is `text.slice(0, end)`, the rest starts at `next` (boundary whitespace skipped). */
export interface Cut {
  end: number;
  next: number;
  kind: BoundaryKind | 'hard';
}

export interface FindCutOptions {
  unit: LengthUnit;
  /** Boundary kinds to try, as groups in order of preference; within a group the last boundary wins. */
  preference: readonly (readonly BoundaryKind[])[];
  /** A boundary is used only if the piece before it is at least this fraction of `max`. Default 0.4. */
  minFraction?: number;
}

/**
 * Finds where to end a piece of `text` that must measure at most `max` units. Returns null when
 * the whole text fits. The piece is never empty as long as `max` ≥ the first grapheme's length.
 */
export function findCut(text: string, max: number, options: FindCutOptions): Cut | null {
  if (measure(text, options.unit) <= max) return null;
  const limit = graphemeFloor(text, fitOffset(text, max, options.unit));
  if (limit === 0) {
    // Not even one grapheme fits: fall back to whole code points so we still make progress.
    const first = String.fromCodePoint(text.codePointAt(0)!);
    return { end: first.length, next: first.length, kind: 'hard' };
  }
  const minEnd = minimumOffset(text, Math.ceil(max * (options.minFraction ?? 0.4)), options.unit);
  for (const group of options.preference) {
    let best: Cut | null = null;
    for (const kind of group) {
      const cut = lastBoundary(text, limit, kind);
      if (cut && cut.end >= minEnd && cut.end > 0 && (!best || cut.end > best.end)) best = cut;
    }
    if (best) return best;
  }
  return hardCut(text, limit);
}

/** The largest UTF-16 offset, on a code point boundary, whose prefix measures at most `max`. */
function fitOffset(text: string, max: number, unit: LengthUnit): number {
  if (unit === 'utf16') {
    const offset = Math.min(max, text.length);
    const code = text.charCodeAt(offset);
    // Do not end between the halves of a surrogate pair.
    return offset > 0 && code >= 0xdc00 && code <= 0xdfff && offset < text.length ? offset - 1 : offset;
  }
  let offset = 0;
  let used = 0;
  for (const ch of text) {
    if (used + 1 > max) break;
    used += 1;
    offset += ch.length;
  }
  return offset;
}

/** How far back a grapheme may start; longer clusters (stacked marks) are cut anyway. */
const GRAPHEME_WINDOW = 64;

/**
 * Moves `offset` back to the nearest grapheme boundary. Only a small window around it is
 * segmented: Intl.Segmenter over a whole 30,000-character detail is slow.
 */
function graphemeFloor(text: string, offset: number): number {
  if (offset >= text.length) return text.length;
  const from = Math.max(0, offset - GRAPHEME_WINDOW);
  const window = text.slice(from, Math.min(text.length, offset + GRAPHEME_WINDOW));
  let floor = from;
  for (const { index } of segmenter.segment(window)) {
    if (from + index > offset) break;
    floor = from + index;
  }
  return floor;
}

/** UTF-16 offset at which the prefix first measures `units`. */
function minimumOffset(text: string, units: number, unit: LengthUnit): number {
  if (unit === 'utf16') return Math.min(units, text.length);
  let count = 0;
  let offset = 0;
  for (const ch of text) {
    if (count >= units) break;
    count += 1;
    offset += ch.length;
  }
  return offset;
}

function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/.test(ch);
}

/** The last boundary of `kind` whose piece ends at or before `limit`. */
function lastBoundary(text: string, limit: number, kind: BoundaryKind): Cut | null {
  for (let i = limit - 1; i >= 0; i -= 1) {
    const ch = text[i]!;
    switch (kind) {
      case 'newline':
        if (ch === '\n') return { end: trimEnd(text, i), next: skipSpace(text, i + 1), kind };
        break;
      case 'space':
        if (ch === ' ' || ch === '\t') return { end: trimEnd(text, i), next: skipSpace(text, i + 1), kind };
        break;
      case 'sentence':
      case 'clause': {
        const cjk = kind === 'sentence' ? SENTENCE_CJK : CLAUSE_CJK;
        const ascii = kind === 'sentence' ? SENTENCE_ASCII : CLAUSE_ASCII;
        let end = i + 1;
        // ASCII marks count only before whitespace or the end, so `GPT-5.2` and `1,000` stay whole.
        if (!cjk.has(ch) && !(ascii.has(ch) && (end === text.length || isSpace(text[end]) || !isAscii(text[end]!)))) break;
        while (end < limit && CLOSERS.has(text[end]!)) end += 1;
        return { end, next: skipSpace(text, end), kind };
      }
    }
  }
  return null;
}

function isAscii(ch: string): boolean {
  return ch.charCodeAt(0) < 0x80;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_.,:\-+/]/.test(ch);
}

/** Cut at `limit`, moved back to the start of an ASCII word (`GPT-5.2`, `1,000`) it would split, unless the word starts the text. */
function hardCut(text: string, limit: number): Cut {
  let end = limit;
  if (isWordChar(text[end - 1]) && isWordChar(text[end])) {
    let start = end;
    while (start > 0 && isWordChar(text[start - 1])) start -= 1;
    if (start > 0) end = start;
  }
  return { end: trimEnd(text, end), next: skipSpace(text, end), kind: 'hard' };
}

function trimEnd(text: string, end: number): number {
  let e = end;
  while (e > 0 && isSpace(text[e - 1])) e -= 1;
  return e > 0 ? e : end;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isSpace(text[i])) i += 1;
  return i;
}

/** Splits text into pieces of at most `max` units each, cutting at the preferred boundaries. */
export function splitText(text: string, max: number, options: FindCutOptions): string[] {
  const pieces: string[] = [];
  let rest = text;
  for (;;) {
    const cut = findCut(rest, max, options);
    if (!cut) break;
    const piece = rest.slice(0, cut.end);
    if (piece.length > 0) pieces.push(piece);
    rest = rest.slice(Math.max(cut.next, cut.end));
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/** Preference for splitting messages: paragraphs, then sentences, clauses, spaces. */
export const SPLIT_PREFERENCE: readonly (readonly BoundaryKind[])[] = [['newline'], ['sentence'], ['clause'], ['space']];
