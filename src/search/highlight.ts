import { foldCharacter } from './tokenize.ts';

/**
 * Where `terms` (folded) occur in `text`, as `[start, end)` ranges of the original text: the
 * text is folded one character at a time so every folded offset maps back to the original
 * (NFKC may turn one character into several). Sorted and merged.
 */
export function findHighlights(text: string, terms: readonly string[]): Array<[number, number]> {
  let folded = '';
  const origin: number[] = [];
  let offset = 0;
  for (const char of text) {
    const f = foldCharacter(char);
    for (let i = 0; i < f.length; i++) origin.push(offset);
    folded += f;
    offset += char.length;
  }
  origin.push(text.length);
  const ranges: Array<[number, number]> = [];
  for (const term of terms) {
    if (term === '') continue;
    for (let at = folded.indexOf(term); at >= 0; at = folded.indexOf(term, at + term.length)) {
      const start = origin[at]!;
      const endIndex = at + term.length;
      // The end maps to the start of the next original character.
      let end = origin[endIndex] ?? text.length;
      if (end <= start) end = start + 1;
      ranges.push([start, end]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged.at(-1);
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * A window of at most `max` characters of `text` around its first highlight, with `…` where cut,
 * and the highlights moved to match. Surrogate pairs are never split.
 */
export function clipAround(text: string, highlights: Array<[number, number]>, max: number): { text: string; highlights: Array<[number, number]> } {
  if (text.length <= max) return { text, highlights };
  const first = highlights[0]?.[0] ?? 0;
  let start = Math.max(0, Math.min(first - Math.floor(max / 4), text.length - max));
  let end = Math.min(text.length, start + max);
  if (start > 0 && /[\uDC00-\uDFFF]/.test(text[start] ?? '')) start += 1;
  if (end < text.length && /[\uDC00-\uDFFF]/.test(text[end] ?? '')) end -= 1;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shift = prefix.length - start;
  const kept = highlights
    .filter(([s, e]) => s < end && e > start)
    .map(([s, e]): [number, number] => [Math.max(s, start) + shift, Math.min(e, end) + shift]);
  return { text: `${prefix}${text.slice(start, end)}${suffix}`, highlights: kept };
}
