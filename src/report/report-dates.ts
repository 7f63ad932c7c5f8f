import { formatCalendarDate } from './user-date.ts';

/** The days a report covers, both `YYYY-MM-DD`, `start <= end`. */
export interface DateRange {
  start: string;
  end: string;
}

/** Markdown file extensions the library reads. */
export const REPORT_EXTENSIONS = ['.md', '.markdown'] as const;

/** `twitter_ai_20260105_20260111.md` (a range) or `twitter_ai_20260103.md` (one day). */
const NAME_RANGE = /(?:^|[^0-9])(\d{8})[_-](\d{8})(?:[^0-9]|$)/;
const NAME_DAY = /(?:^|[^0-9])(\d{8})(?:[^0-9]|$)/;

function compactToIso(compact: string): string | null {
  return formatCalendarDate(
    Number(compact.slice(0, 4)),
    Number(compact.slice(4, 6)),
    Number(compact.slice(6, 8)),
  );
}

function toRange(start: string | null, end: string | null): DateRange | null {
  if (start === null || end === null || end < start) return null;
  return { start, end };
}

/** The outcome of looking for dates in one place: a range, nothing, or something malformed. */
export type DateLookup =
  | { kind: 'found'; range: DateRange }
  | { kind: 'absent' }
  | { kind: 'invalid'; reason: string };

/**
 * Dates from a file's base name (without extension): `…_YYYYMMDD_YYYYMMDD` or one `YYYYMMDD`.
 * Digits that do not form real days, or a range that ends before it starts, are `invalid`.
 */
export function datesFromName(slug: string): DateLookup {
  const range = NAME_RANGE.exec(slug);
  if (range) {
    const found = toRange(compactToIso(range[1] ?? ''), compactToIso(range[2] ?? ''));
    return found
      ? { kind: 'found', range: found }
      : { kind: 'invalid', reason: `file name dates ${range[1]}_${range[2]} are not a valid range` };
  }
  const day = NAME_DAY.exec(slug);
  if (day) {
    const iso = compactToIso(day[1] ?? '');
    return iso
      ? { kind: 'found', range: { start: iso, end: iso } }
      : { kind: 'invalid', reason: `file name date ${day[1]} is not a calendar day` };
  }
  return { kind: 'absent' };
}

/** `(2026-01-03 至 2026-01-03)` with half- or full-width brackets and a few separator spellings. */
const DATE_LINE =
  /[(（]\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*(?:至|到|~|～|—|–|-)\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*[)）]/u;

/** Dates from the report's `Twitter Ai 报告 (YYYY-MM-DD 至 YYYY-MM-DD)` line (plain text of a paragraph). */
export function datesFromLine(text: string): DateLookup {
  const m = DATE_LINE.exec(text);
  if (!m) return { kind: 'absent' };
  const found = toRange(
    formatCalendarDate(Number(m[1]), Number(m[2]), Number(m[3])),
    formatCalendarDate(Number(m[4]), Number(m[5]), Number(m[6])),
  );
  return found
    ? { kind: 'found', range: found }
    : { kind: 'invalid', reason: `date line "${m[0]}" is not a valid range` };
}

/** A front-matter time as written: its calendar day and, when time and offset are known, ISO 8601. */
export interface FrontMatterTime {
  date: string;
  /** `2026-01-03T14:34:15+08:00`, or null when the value has no time or no UTC offset. */
  iso: string | null;
  /** Why `iso` is null although a time was written (e.g. no offset). */
  note: string | null;
}

const TIMESTAMP =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{1,2})?)?$/i;

const pad2 = (n: string | number): string => String(n).padStart(2, '0');

/** Normalises `+0800`, `+08:00`, `+8` and `Z` to `+08:00` / `Z`. */
function formatOffset(raw: string): string | null {
  if (raw.toUpperCase() === 'Z') return 'Z';
  const m = /^([+-])(\d{1,2}):?(\d{2})?$/.exec(raw);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 14 || minutes > 59) return null;
  return `${m[1]}${pad2(hours)}:${pad2(minutes)}`;
}

/** Reads a timestamp as Jekyll writes it (`2026-01-03 14:34:15 +0800`), keeping its own offset. */
export function parseTimestamp(text: string): FrontMatterTime | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const date = formatCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]));
  if (date === null) return null;
  if (m[4] === undefined) return { date, iso: null, note: null };
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = Number(m[6] ?? '0');
  if (hours > 23 || minutes > 59 || seconds > 59) return null;
  const offset = m[7] === undefined ? null : formatOffset(m[7]);
  if (offset === null) {
    return { date, iso: null, note: `publish time "${text.trim()}" has no usable UTC offset` };
  }
  return { date, iso: `${date}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${offset}`, note: null };
}

/**
 * Reads a front-matter `date`. Quoted values arrive as strings. Unquoted ones may arrive as a
 * `Date` (js-yaml's timestamp type, already shifted to UTC); then the raw text from the front
 * matter is preferred so the author's own day and offset survive, and UTC is the fallback.
 */
export function readFrontMatterTime(value: unknown, rawText: string | null): FrontMatterTime | null {
  if (typeof value === 'string') return parseTimestamp(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    const fromRaw = rawText === null ? null : parseTimestamp(rawText);
    if (fromRaw) return fromRaw;
    const utc = value.toISOString();
    const dateOnly = utc.endsWith('T00:00:00.000Z');
    return { date: utc.slice(0, 10), iso: dateOnly ? null : `${utc.slice(0, 19)}Z`, note: null };
  }
  return null;
}
