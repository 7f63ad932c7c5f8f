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
 * The instant a local wall-clock time happens in `timezone`. A time that does not exist that day
 * (in a spring-forward gap) happens at the first instant after the gap: 02:30 on a night when
 * 02:00 jumps to 03:00 → 03:00. A time that happens twice (fall back) takes its first occurrence.
 */
export function zonedTimeToUtc(local: LocalParts, timezone: string): number {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  // The offsets a day either side bracket any transition on this day (none lasts that long).
  const earlierOffset = offsetMs(guess - DAY_MS, timezone);
  const laterOffset = offsetMs(guess + DAY_MS, timezone);
  const withEarlier = guess - earlierOffset;
  const withLater = guess - laterOffset;
  const valid = [withEarlier, withLater].filter((ms) => localMatches(ms, local, timezone));
  // Overlap: both are valid, the earlier is the first occurrence.
  if (valid.length > 0) return Math.min(...valid);
  // Gap: the transition lies between the two readings; find the first second on the later offset.
  let lo = Math.min(withEarlier, withLater);
  let hi = Math.max(withEarlier, withLater);
  if (offsetMs(hi, timezone) !== laterOffset) return hi;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (offsetMs(mid, timezone) === laterOffset) hi = mid;
    else lo = mid;
  }
  return hi;
}

const DAY_MS = 86_400_000;

function localMatches(ms: number, local: LocalParts, timezone: string): boolean {
  const p = localPartsAt(ms, timezone);
  return p.year === local.year && p.month === local.month && p.day === local.day && p.hour === local.hour && p.minute === local.minute;
}

type Day = { year: number; month: number; day: number };

function shiftDay(p: Day, days: number): Day {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** How far `previousDue` / `nextDue` look: a yearly schedule (even 29 February) still finds its run. */
const MAX_DAYS = 1_500;

/**
 * No wall-clock time of a day lies more than this from the instants of that day's midnight
 * (offsets change by at most two hours); used to skip the times of day that cannot qualify.
 */
const WALL_SLACK_S = 3 * 3600;

/**
 * The local times of day a schedule names, and which calendar days it runs on. Days are judged
 * by node-cron's own matcher, applied to the nominal wall-clock date (a matcher in UTC given the
 * local date and time as if it were UTC), so a day counts even when its time falls in a DST gap.
 */
interface DayPlan {
  /** Seconds since local midnight, ascending, each once. */
  times: number[];
  runsOn(day: Day): boolean;
  dispose(): void;
}

function planOf(schedule: DueSchedule): DayPlan {
  if (schedule.kind === 'daily') {
    const [hour, minute] = parseTimeOfDay(schedule.timeOfDay);
    return { times: [hour * 3600 + minute * 60], runsOn: () => true, dispose: () => undefined };
  }
  const fields = parse(schedule.expression);
  const times: number[] = [];
  for (const hour of fields.hour) for (const minute of fields.minute) for (const second of fields.second) times.push(hour * 3600 + minute * 60 + second);
  times.sort((a, b) => a - b);
  const [first] = times;
  const wall = createTask(schedule.expression, () => undefined, { timezone: 'UTC' });
  return {
    times: [...new Set(times)],
    // Any of the schedule's own times works as the probe: only the day fields can fail it.
    runsOn: (day) => first !== undefined && wall.match(new Date(Date.UTC(day.year, day.month - 1, day.day) + first * 1000)),
    dispose: () => void wall.destroy(),
  };
}

const secondsOfDay = (p: LocalParts): number => p.hour * 3600 + p.minute * 60 + p.second;

function instantOf(day: Day, seconds: number, timezone: string): number {
  const hour = Math.floor(seconds / 3600);
  const minute = Math.floor((seconds % 3600) / 60);
  return zonedTimeToUtc({ ...day, hour, minute, second: seconds % 60 }, timezone);
}

/*
 * The due instants of `schedule`: each local time it names on each day it runs, placed by
 * `zonedTimeToUtc` (a time in a DST gap at the end of the gap, a repeated time at its first
 * occurrence). This one definition decides both when the scheduler fires (`nextDue`) and what the
 * start-up catch-up counts as the last due time (`previousDue`), so the two always agree.
 */

/**
 * The most recent due instant at or before `now`, or null when there was none within ~4 years.
 */
export function previousDue(schedule: DueSchedule, now: Date): Date | null {
  const { timezone } = schedule;
  const nowMs = now.getTime();
  const plan = planOf(schedule);
  try {
    const today = localPartsAt(nowMs, timezone);
    let day: Day = today;
    for (let i = 0; i < MAX_DAYS; i++) {
      if (plan.runsOn(day)) {
        for (let t = plan.times.length - 1; t >= 0; t--) {
          const seconds = plan.times[t]!;
          if (i === 0 && seconds > secondsOfDay(today) + WALL_SLACK_S) continue;
          const at = instantOf(day, seconds, timezone);
          if (at <= nowMs) return new Date(at);
        }
      }
      day = shiftDay(day, -1);
    }
    return null;
  } finally {
    plan.dispose();
  }
}

/**
 * The first due instant strictly after `after`, or null when there is none within ~4 years. Two
 * times that land on the same instant (both in one DST gap) are one due time.
 */
export function nextDue(schedule: DueSchedule, after: Date): Date | null {
  const { timezone } = schedule;
  const afterMs = after.getTime();
  const plan = planOf(schedule);
  try {
    const today = localPartsAt(afterMs, timezone);
    let day: Day = today;
    for (let i = 0; i < MAX_DAYS; i++) {
      if (plan.runsOn(day)) {
        for (const seconds of plan.times) {
          if (i === 0 && seconds < secondsOfDay(today) - WALL_SLACK_S) continue;
          const at = instantOf(day, seconds, timezone);
          if (at > afterMs) return new Date(at);
        }
      }
      day = shiftDay(day, 1);
    }
    return null;
  } finally {
    plan.dispose();
  }
}
