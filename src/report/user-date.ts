import { InvalidDateError } from '../errors.ts';

/** Days in each month of a non-leap year; February is adjusted in {@link daysInMonth}. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  return MONTH_DAYS[month - 1] ?? 0;
}

/** Formats a calendar day as `YYYY-MM-DD`, or returns null when the day does not exist. */
export function formatCalendarDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return null;
  if (year < 1 || year > 9999 || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** True when `iso` is exactly `YYYY-MM-DD` and names a day that exists (2026-02-30 does not). */
export function isCalendarDate(iso: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return false;
  return formatCalendarDate(Number(match[1]), Number(match[2]), Number(match[3])) !== null;
}

/** Adds whole days to a `YYYY-MM-DD` date (negative to go back), across months and years. */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y, m - 1, d + days));
  return shifted.toISOString().slice(0, 10);
}

/** The calendar day it is at `now` in an IANA time zone, as `YYYY-MM-DD`. */
export function calendarDateIn(now: Date, timezone: string): string {
  // en-CA formats as YYYY-MM-DD; formatToParts keeps us independent of that detail anyway.
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const RELATIVE_DAYS: Readonly<Record<string, number>> = {
  today: 0,
  yesterday: -1,
  今天: 0,
  昨天: -1,
};

/** `2026-01-03`, `2026/1/3`, `2026.1.3` (one separator kind per input). */
const SEPARATED = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$/;
/** `20260103`. */
const COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/**
 * Reads a date as a user types it into a command and returns `YYYY-MM-DD`.
 *
 * Accepts `2026-01-03`, `20260103`, `2026/1/3`, `2026.1.3`, `today`, `yesterday`, `今天`, `昨天`
 * (trimmed, case-insensitive). "Today" is the calendar day in `options.timezone` at `options.now`,
 * so 2026-01-03T17:00Z is already 2026-01-04 in Asia/Shanghai.
 *
 * @throws InvalidDateError for anything else, including days that do not exist (2026-02-30).
 */
export function parseUserDate(input: string, options: { timezone: string; now: Date }): string {
  const text = input.trim().toLowerCase();
  const relative = RELATIVE_DAYS[text];
  if (relative !== undefined) {
    return addDays(calendarDateIn(options.now, options.timezone), relative);
  }
  const separated = SEPARATED.exec(text);
  const compact = separated ? null : COMPACT.exec(text);
  const date = separated
    ? formatCalendarDate(Number(separated[1]), Number(separated[3]), Number(separated[4]))
    : compact
      ? formatCalendarDate(Number(compact[1]), Number(compact[2]), Number(compact[3]))
      : null;
  if (date === null) throw new InvalidDateError(input);
  return date;
}
