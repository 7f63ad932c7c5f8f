import type { CorePoint, PointLink } from './types.ts';
import { findClose, inlineChildrenText, inlineLinks, inlineText, tidyText, type Token } from './markdown-text.ts';

/** The section heading that introduces the core points, in all its spellings. */
const CORE_MARKER = '核心信息';
const LIST_OPEN = new Set(['bullet_list_open', 'ordered_list_open']);

/** Where the core-points section sits in the token stream: `[from, to)`. */
export interface Section {
  from: number;
  to: number;
}

/**
 * Finds the section under the first heading whose text contains `marker` (and none of `exclude`):
 * it runs to the next heading of any level. A paragraph that is all bold (`**核心信息**`) counts as
 * a heading too, since some reports use one.
 */
export function findSection(
  tokens: readonly Token[],
  matches: (text: string) => boolean,
): Section | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t) continue;
    const isHeading = t.type === 'heading_open';
    const isBoldParagraph =
      t.type === 'paragraph_open' && t.level === 0 && isAllBold(tokens[i + 1]);
    if (!isHeading && !isBoldParagraph) continue;
    if (!matches(inlineText(tokens[i + 1]))) continue;
    const from = findClose(tokens, i) + 1;
    let to = from;
    while (to < tokens.length && tokens[to]?.type !== 'heading_open') to++;
    return { from, to };
  }
  return null;
}

function isAllBold(inline: Token | undefined): boolean {
  const children = inline?.children?.filter((c) => !(c.type === 'text' && c.content.trim() === ''));
  return (
    children !== undefined &&
    children.length >= 3 &&
    children[0]?.type === 'strong_open' &&
    children[children.length - 1]?.type === 'strong_close'
  );
}

/** The result of reading the core-points section. */
export interface CorePointsResult {
  /** Null when the report has no core-points heading at all. */
  points: CorePoint[] | null;
  /** How many points the heading announces (`核心信息（10个信息点概述）` → 10), or null when it names no number. */
  announced: number | null;
  warnings: string[];
}

const CHINESE_DIGITS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** `10`, `１０` (full-width), `十`, `十二`, `二十`: the numbers a heading writes before `个`. */
function readCount(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^([一二两三四五六七八九])?(十)?([一二三四五六七八九])?$/.exec(text);
  if (!m || text === '') return null;
  const [, tens, ten, ones] = m;
  if (!ten) return tens && !ones ? (CHINESE_DIGITS[tens] ?? null) : null;
  return (tens ? (CHINESE_DIGITS[tens] ?? 1) : 1) * 10 + (ones ? (CHINESE_DIGITS[ones] ?? 0) : 0);
}

/**
 * The number of points a core-points heading announces: `核心信息（10个信息点概述）`, with
 * full-width or ASCII parentheses, spaces, full-width digits or Chinese numerals (`十个`), or
 * null when it names none (`### 核心信息`).
 */
export function announcedCount(heading: string): number | null {
  const text = heading.normalize('NFKC');
  const after = text.slice(Math.max(0, text.indexOf(CORE_MARKER) + CORE_MARKER.length));
  const m = /(\d+|[一二两三四五六七八九十]+)\s*个/.exec(after);
  const count = m?.[1] !== undefined ? readCount(m[1]) : null;
  return count !== null && count > 0 ? count : null;
}

/**
 * Reads the core points: the list (ordered or bulleted, tight or loose) after the `核心信息`
 * heading, up to the next heading. Adjacent lists are read as one (a numbering style switch
 * starts a new list in CommonMark); a paragraph after a list ends the points.
 */
export function extractCorePoints(tokens: readonly Token[]): CorePointsResult {
  let heading = '';
  const section = findSection(tokens, (text) => {
    if (!text.includes(CORE_MARKER)) return false;
    heading = text;
    return true;
  });
  if (!section) return { points: null, announced: null, warnings: [] };
  const warnings: string[] = [];
  const points: CorePoint[] = [];
  let sawList = false;
  for (let i = section.from; i < section.to; i++) {
    const t = tokens[i];
    if (!t) continue;
    if (LIST_OPEN.has(t.type)) {
      sawList = true;
      const close = findClose(tokens, i);
      readListItems(tokens, i, close, points, warnings);
      i = close;
    } else if (sawList && t.type === 'paragraph_open') {
      break;
    }
  }
  return { points, announced: announcedCount(heading), warnings };
}

function readListItems(
  tokens: readonly Token[],
  listOpen: number,
  listClose: number,
  points: CorePoint[],
  warnings: string[],
): void {
  const itemLevel = (tokens[listOpen]?.level ?? 0) + 1;
  for (let i = listOpen + 1; i < listClose; i++) {
    const t = tokens[i];
    if (t?.type !== 'list_item_open' || t.level !== itemLevel) continue;
    const close = findClose(tokens, i);
    const point = readItem(tokens, i, close);
    if (point) {
      points.push(point);
      // A title of only whitespace (space, U+3000, U+00A0) is tidied away; its detail still counts.
      if (point.title === '') warnings.push(`core point ${points.length} has no title; its detail is kept`);
    } else {
      warnings.push(`empty core point skipped (item ${points.length + 1})`);
    }
    i = close;
  }
}

/** One list item → a point: the lead paragraph gives title and detail, the rest extends the detail. */
function readItem(tokens: readonly Token[], open: number, close: number): CorePoint | null {
  let lead: Token | undefined;
  const extra: string[] = [];
  const links: PointLink[] = [];
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i];
    if (t?.type !== 'inline') continue;
    links.push(...inlineLinks(t.children ?? []));
    if (!lead) lead = t;
    else {
      const text = inlineText(t);
      if (text !== '') extra.push(text);
    }
  }
  if (!lead) return null;
  const { title, detail } = splitTitle(lead.children ?? []);
  const fullDetail = joinParts([detail, ...extra]);
  if (title === '' && fullDetail === '') return null;
  const point: CorePoint = { title, detail: fullDetail };
  const kept = links.filter((link) => point.title.includes(link.text) || point.detail.includes(link.text));
  // Only points that have links carry the field, so a point without any reads as before.
  if (kept.length > 0) point.links = kept;
  return point;
}

/**
 * Splits the lead line into title and detail. The usual shape is `**title**：detail`; the
 * fallbacks cover bold that markdown-it does not see (CommonMark's flanking rules reject
 * `**标题（注）**后文`, where the closing `**` follows punctuation and precedes a letter) and
 * plain `title：detail` lines.
 */
function splitTitle(children: readonly Token[]): CorePoint {
  const start = children.findIndex((c) => !(c.type === 'text' && c.content.trim() === ''));
  if (children[start]?.type === 'strong_open') {
    let depth = 0;
    for (let i = start; i < children.length; i++) {
      const type = children[i]?.type;
      if (type === 'strong_open') depth++;
      else if (type === 'strong_close' && --depth === 0) {
        return cleanPoint(
          inlineChildrenText(children.slice(start + 1, i)),
          inlineChildrenText(children.slice(i + 1)),
          false,
        );
      }
    }
  }
  const text = tidyText(inlineChildrenText(children));
  const bold = /^\*\*(.+?)\*\*(.*)$/s.exec(text);
  if (bold) return cleanPoint(bold[1] ?? '', bold[2] ?? '', true);
  const colon = text.search(/[：:]/);
  if (colon > 0 && colon <= 40) return cleanPoint(text.slice(0, colon), text.slice(colon + 1), true);
  return cleanPoint(text, '', true);
}

/**
 * Tidies a title and detail. `unparsedBold` is set on the fallback paths, where `**` markers that
 * markdown-it left as text are removed (on the parsed path a literal `**` is the author's text).
 */
function cleanPoint(rawTitle: string, rawDetail: string, unparsedBold: boolean): CorePoint {
  const strip = (s: string): string => (unparsedBold ? s.replace(/\*\*/g, '') : s);
  const title = tidyText(strip(rawTitle)).replace(/[\s：:]+$/u, '');
  const detail = tidyText(strip(rawDetail)).replace(/^[\s：:，,、—–-]+/u, '');
  return { title, detail };
}

/**
 * Joins detail parts (lead text, further paragraphs, sub-bullets). A part that already ends a
 * sentence is followed directly; otherwise a `；` keeps sub-bullets from running together.
 */
function joinParts(parts: readonly string[]): string {
  let out = '';
  for (const part of parts) {
    if (part === '') continue;
    if (out === '') out = part;
    else if (/[。！？；.!?;：:]$/u.test(out)) out += /[\u3000-\u303f\uff00-\uffef]$/u.test(out) ? part : ` ${part}`;
    else out += `；${part}`;
  }
  return out;
}
