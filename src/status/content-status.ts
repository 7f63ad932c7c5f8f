import { describeIncomplete, incompleteness } from '../report/completeness.ts';
import type { LibraryProblem } from '../report/library.ts';
import type { Report } from '../report/types.ts';

/** The parts of ReportLibrary the content status reads (no file is read beyond the newest report). */
export interface ContentStatusLibrary {
  entries(): ReadonlyArray<{ slug: string; dateStart: string; dateEnd: string; file: string }>;
  load(entry: { slug: string; dateStart: string; dateEnd: string; file: string }): Promise<Report>;
  /** Files the library refused or could not index (too large, undated), with the reason. */
  problems?(): ReadonlyArray<LibraryProblem>;
}

/** What the operator should know about the content folder. */
export interface ContentStatus {
  /** The newest report when it is held as incomplete: the schedule waits for the rest of it. */
  held: { slug: string; file: string; dateStart: string; reason: string } | null;
  /** Files not served at all (over content.maxReportBytes, no dates), one line each. */
  refused: LibraryProblem[];
}

/**
 * The content folder as the status page shows it: whether the report the schedule would send next
 * is held (fewer core points than announced), and the files the library refused. Loads only the
 * newest report (from the library's cache when unchanged); a file that does not parse is left to
 * the log and `digest check`.
 */
export async function collectContentStatus(library: ContentStatusLibrary): Promise<ContentStatus> {
  const refused = [...(library.problems?.() ?? [])];
  const newest = library.entries()[0];
  if (!newest) return { held: null, refused };
  let report: Report;
  try {
    report = await library.load(newest);
  } catch {
    return { held: null, refused };
  }
  const missing = incompleteness(report);
  return {
    held: missing ? { slug: report.slug, file: report.file, dateStart: report.dateStart, reason: describeIncomplete(missing) } : null,
    refused,
  };
}
