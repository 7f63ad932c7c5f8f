import type { DigestNavigation } from './digest-types.ts';

/**
 * The neighbours of the report starting on `dateStart` among every report's first day (`dates`,
 * newest first, as ReportLibrary.dates() gives them): the closest older and newer dates, or null
 * at either end of the archive. Pure; a date not in the list still gets its neighbours.
 */
export function navigationFor(dateStart: string, dates: readonly string[]): DigestNavigation {
  let previous: string | null = null;
  let next: string | null = null;
  for (const date of dates) {
    if (date < dateStart) {
      if (previous === null || date > previous) previous = date;
    } else if (date > dateStart) {
      if (next === null || date < next) next = date;
    }
  }
  return { previous, next };
}
