import { createTask, parse } from 'node-cron';

/**
 * When a destination is due: the global cron `schedule` in the configured timezone, or a
 * subscription's own local time of day (`HH:MM`) in its own timezone.
 */
export type DueSchedule =
  | { kind: 'cron'; expression: string; timezone: string }
  | { kind: 'daily'; timeOfDay: string; timezone: string };

/** A stable key for a schedule: subscriptions with the same key share one cron job. */
export function scheduleKey(schedule: DueSchedule): string {
  return schedule.kind === 'cron'
    ? `cron:${schedule.expression}@${schedule.timezone}`
    : `daily:${schedule.timeOfDay}@${schedule.timezone}`;
}

/** The node-cron expression of a schedule (`30 8 * * *` for a daily 08:30). */
export function cronExpressionOf(schedule: DueSchedule): string {
  if (schedule.kind === 'cron') return schedule.expression;
  const [hh, mm] = parseTimeOfDay(schedule.timeOfDay);
  return `${mm} ${hh} * * *`;
}

/** `HH:MM` (24 h) → [hour, minute]; throws on anything else. */
export function parseTimeOfDay(text: string): [number, number] {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) throw new Error(`not a time of day (HH:MM): "${text}"`);
  return [Number(match[1]), Number(match[2])];
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** The wall-clock time at `ms` in `timezone`. */
export function localPartsAt(ms: number, timezone: string): LocalParts {
  const parts = formatterFor(timezone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

function offsetMs(ms: number, timezone: string): number {
  const p = localPartsAt(ms, timezone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a local wall-clock time happens in `timezone`. In a DST gap (a time that does not
 * exist) it lands just after the gap; in an overlap it takes the first occurrence.
 */
export function zonedTimeToUtc(local: LocalParts, timezone: string): number {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // The offsets a day either side bracket any transition on this day (none lasts that long).
  const before = guess - offsetMs(guess - DAY_MS, timezone);
  const after = guess - offsetMs(guess + DAY_MS, timezone);
  const valid = [before, after].filter((ms) => localMatches(ms, local, timezone));
  // Overlap: both are valid, the earlier is the first occurrence. Gap: neither is; the pre-gap
  // offset puts the time just after the gap (02:30 → 03:30 on a spring-forward night).
  return valid.length > 0 ? Math.min(...valid) : before;
}

const DAY_MS = 86_400_000;

function localMatches(ms: number, local: LocalParts, timezone: string): boolean {
  const p = localPartsAt(ms, timezone);
  return p.year === local.year && p.month === local.month && p.day === local.day && p.hour === local.hour && p.minute === local.minute;
}

function shiftDay(p: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** How far back `previousDue` looks: a yearly schedule still finds its last run. */
const MAX_DAYS_BACK = 400;

/**
 * The most recent instant at or before `now` when `schedule` fired, or null when it has not
 * fired within the last ~400 days. Uses node-cron's own matcher, so it agrees with the jobs the
 * scheduler runs (including node-cron's day-of-month AND day-of-week rule).
 */
export function previousDue(schedule: DueSchedule, now: Date): Date | null {
  const { timezone } = schedule;
  const nowMs = now.getTime();
  if (schedule.kind === 'daily') {
    const [hour, minute] = parseTimeOfDay(schedule.timeOfDay);
    let day: { year: number; month: number; day: number } = localPartsAt(nowMs, timezone);
    for (let i = 0; i < 3; i++) {
      const at = zonedTimeToUtc({ ...day, hour, minute, second: 0 }, timezone);
      if (at <= nowMs) return new Date(at);
      day = shiftDay(day, -1);
    }
    return null;
  }
  const expression = schedule.expression;
  const fields = parse(expression);
  const desc = (values: number[]): number[] => [...values].sort((a, b) => b - a);
  const hours = desc(fields.hour);
  const minutes = desc(fields.minute);
  const seconds = desc(fields.second);
  const task = createTask(expression, () => undefined, { timezone });
  try {
    let day: { year: number; month: number; day: number } = localPartsAt(nowMs, timezone);
    for (let i = 0; i < MAX_DAYS_BACK; i++) {
      // Cheap day filter: if the day's latest candidate time does not match, only the day
      // fields (month, day of month, weekday) can be at fault, and then no time that day matches.
      const probe = zonedTimeToUtc({ ...day, hour: hours[0] ?? 0, minute: minutes[0] ?? 0, second: seconds[0] ?? 0 }, timezone);
      if (task.match(new Date(probe)) || i === 0) {
        for (const hour of hours) {
          for (const minute of minutes) {
            for (const second of seconds) {
              const at = zonedTimeToUtc({ ...day, hour, minute, second }, timezone);
              if (at <= nowMs && task.match(new Date(at))) return new Date(at);
            }
          }
        }
      }
      day = shiftDay(day, -1);
    }
    return null;
  } finally {
    void task.destroy();
  }
}
