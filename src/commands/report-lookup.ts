import { parseUserDate } from '../report/user-date.ts';
import type { Report } from '../report/types.ts';
import type { CommandDeps } from './deps.ts';

/**
 * The report for a date as the user typed it. Throws InvalidDateError (not a date),
 * ReportNotFoundError (names the nearest dates) or ReportParseError; the router explains each.
 */
export async function findReportFor(input: string, deps: CommandDeps): Promise<Report> {
  const date = parseUserDate(input, { timezone: deps.timezone, now: deps.now() });
  return deps.library.findByDate(date);
}

/** `2026-01-03`, or `2026-01-05 – 2026-01-11` for a report covering several days. */
export function reportDateLabel(report: Report): string {
  return report.dateStart === report.dateEnd ? report.dateStart : `${report.dateStart} – ${report.dateEnd}`;
}
