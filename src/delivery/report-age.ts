import type { Report } from '../report/types.ts';
import { calendarDateIn } from '../report/user-date.ts';

/** How old a report may be when a due time sends it on its own (config `delivery.maxReportAgeDays`). */
export interface AgeLimit {
  maxReportAgeDays: number;
  /** The bot's timezone: the due date is the calendar day of the due instant there. */
  timezone: string;
}

/** Whole days from the report's last day to the calendar day of `due` in `timezone` (0 = same day). */
export function reportAgeDays(report: Pick<Report, 'dateEnd'>, due: Date, timezone: string): number {
  const dueDay = calendarDateIn(due, timezone);
  return Math.round((Date.parse(`${dueDay}T00:00:00Z`) - Date.parse(`${report.dateEnd}T00:00:00Z`)) / 86_400_000);
}

/**
 * The report's age in days when it is too old to go out at `due` (older than the limit), else
 * null: an 11-month-old newest report must not reach new subscribers as "today's digest".
 */
export function staleAge(report: Pick<Report, 'dateEnd'>, due: Date, limit: AgeLimit): number | null {
  const age = reportAgeDays(report, due, limit.timezone);
  return age > limit.maxReportAgeDays ? age : null;
}
