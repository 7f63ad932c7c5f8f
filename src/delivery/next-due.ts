import { createTask, parse } from 'node-cron';
import { localPartsAt, parseTimeOfDay, zonedTimeToUtc, type DueSchedule } from './due-times.ts';

/** How far ahead `nextDue` looks: a yearly schedule still finds its next run. */
const MAX_DAYS_AHEAD = 400;

function shiftDay(p: { year: number; month: number; day: number }, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/**
 * The first instant strictly after `now` when `schedule` fires, or null when it does not within
 * ~400 days. The mirror of `previousDue`, with node-cron's own matcher, so the status page and
 * `digest status` name the times the scheduler's jobs really run.
 */
export function nextDue(schedule: DueSchedule, now: Date): Date | null {
  const { timezone } = schedule;
  const nowMs = now.getTime();
  if (schedule.kind === 'daily') {
    const [hour, minute] = parseTimeOfDay(schedule.timeOfDay);
    let day: { year: number; month: number; day: number } = localPartsAt(nowMs, timezone);
    for (let i = 0; i < 3; i++) {
      const at = zonedTimeToUtc({ ...day, hour, minute, second: 0 }, timezone);
      if (at > nowMs) return new Date(at);
      day = shiftDay(day, 1);
    }
    return null;
  }
  const fields = parse(schedule.expression);
  const asc = (values: number[]): number[] => [...values].sort((a, b) => a - b);
  const hours = asc(fields.hour);
  const minutes = asc(fields.minute);
  const seconds = asc(fields.second);
  const task = createTask(schedule.expression, () => undefined, { timezone });
  try {
    let day: { year: number; month: number; day: number } = localPartsAt(nowMs, timezone);
    for (let i = 0; i < MAX_DAYS_AHEAD; i++) {
      // Cheap day filter (as in previousDue): if the day's first candidate does not match, only
      // the day fields can be at fault, and then no time that day matches.
      const probe = zonedTimeToUtc({ ...day, hour: hours[0] ?? 0, minute: minutes[0] ?? 0, second: seconds[0] ?? 0 }, timezone);
      if (task.match(new Date(probe)) || i === 0) {
        for (const hour of hours) {
          for (const minute of minutes) {
            for (const second of seconds) {
              const at = zonedTimeToUtc({ ...day, hour, minute, second }, timezone);
              if (at > nowMs && task.match(new Date(at))) return new Date(at);
            }
          }
        }
      }
      day = shiftDay(day, 1);
    }
    return null;
  } finally {
    void task.destroy();
  }
}
