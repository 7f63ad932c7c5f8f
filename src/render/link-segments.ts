import type { PointLink } from '../report/types.ts';

/** A run of text, linked or not. */
export interface TextSegment {
  text: string;
  /** An http(s) URL, for a linked run. */
  url?: string;
}

/**
 * The URL of a link the renderers may keep: only `http:` and `https:` (a `javascript:`, `file:`,
 * `tg:` or relative link in a report becomes plain text), normalised by the URL parser so spaces,
 * quotes and brackets arrive percent-encoded. Null for anything else.
 */
export function safeLinkUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  // Parentheses end a Discord masked link and are legal in URLs: encode them too.
  return parsed.href.replace(/\(/g, '%28').replace(/\)/g, '%29');
}

/**
 * Splits `text` into plain and linked runs: the first occurrence of each link's text (in order,
 * not overlapping an earlier one) becomes a linked run. Links with an unsafe URL stay plain.
 */
export function linkSegments(text: string, links: readonly PointLink[] | undefined): TextSegment[] {
  if (!links || links.length === 0 || text === '') return [{ text }];
  const found: { start: number; end: number; url: string }[] = [];
  for (const link of links) {
    const url = safeLinkUrl(link.url);
    if (url === null || link.text === '') continue;
    let from = 0;
    for (;;) {
      const start = text.indexOf(link.text, from);
      if (start < 0) break;
      const end = start + link.text.length;
      if (!found.some((f) => start < f.end && end > f.start)) {
        found.push({ start, end, url });
        break;
      }
      from = start + 1;
    }
  }
  found.sort((a, b) => a.start - b.start);
  const segments: TextSegment[] = [];
  let cursor = 0;
  for (const f of found) {
    if (f.start > cursor) segments.push({ text: text.slice(cursor, f.start) });
    segments.push({ text: text.slice(f.start, f.end), url: f.url });
    cursor = f.end;
  }
  if (cursor < text.length) segments.push({ text: text.slice(cursor) });
  return segments;
}
