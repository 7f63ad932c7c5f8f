import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { describeIncomplete, incompleteness } from '../report/completeness.ts';
import { missingImageNote } from '../report/image-note.ts';
import { readReport } from '../report/read-report.ts';
import { REPORT_EXTENSIONS } from '../report/report-dates.ts';
import type { Report } from '../report/types.ts';
import type { CliBackend } from '../backend/backend.ts';
import { errorText } from './error-text.ts';
import { openBackendForCli } from '../backend/open-backend.ts';
import type { CliCommand } from './io.ts';
import { createProgress } from './progress.ts';
import { isEditedAfterDelivery } from '../delivery/edited-after-delivery.ts';

const HELP = `usage: digest check [DIR]

Parses every .md / .markdown report in DIR (default: the configured contentDir) and prints one line per file:
  ok  <file> (N points)[ · info: <notes that need no action, e.g. a word cloud drawn instead of a missing image>]
  warn <file>: <warnings>
  held <file>: <fewer core points than the heading announces: not delivered until complete>
  error <file>: <reason> (a file over content.maxReportBytes is refused without being read)
Also warns (one more line per file) when two files cover the same dates (only the name that
sorts first is delivered and shown) and when a report changed after it was delivered (readers
have the earlier version; \`digest post DATE --repost\` sends it again).
Exit codes: 0 every file parses (warnings allowed), 1 any file is an error or DIR cannot be read.
`;

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ');

/** `digest check [DIR]`: a lint over the content folder, for operators and CI. */
export const checkCommand: CliCommand = async (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(HELP);
    return 0;
  }
  const unknown = argv.find((arg) => arg.startsWith('-'));
  if (unknown || argv.length > 1) {
    io.stderr(`digest check: ${unknown ? `unknown option ${unknown}` : 'expected at most one DIR'}\n${HELP}`);
    return 1;
  }

  let dir: string;
  let files: string[];
  let imagesDir: string | null;
  let maxBytes: number;
  let wordcloudEnabled: boolean;
  let database: DatabaseConfig;
  try {
    const config = loadConfig({ rootDir: io.cwd, env: io.env });
    imagesDir = config.imagesDir;
    maxBytes = config.content.maxReportBytes;
    wordcloudEnabled = config.wordcloud.enabled;
    database = config;
    dir = argv[0] !== undefined ? path.resolve(io.cwd, argv[0]) : config.contentDir;
    if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} is not a folder`);
    files = (await readdir(dir))
      .filter((name) => (REPORT_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase()))
      .sort();
  } catch (error) {
    io.stderr(`digest check: ${errorText(error)}\n`);
    return 1;
  }
  if (files.length === 0) {
    io.stderr(`digest check: no report files (.md) in ${dir}\n`);
    return 1;
  }

  let errors = 0;
  const progress = createProgress(io, 'digest check', { reports: files.length });
  const parsed: Array<{ name: string; report: Report }> = [];
  for (const name of files) {
    try {
      const report = await readReport(path.join(dir, name), { imagesDir, maxBytes });
      parsed.push({ name, report });
      progress.print(`${reportLine(name, report, wordcloudEnabled)}\n`);
      progress.tick('reports', false);
    } catch (error) {
      errors += 1;
      const reason = (error as { reason?: unknown }).reason;
      progress.print(`error ${name}: ${oneLine(typeof reason === 'string' ? reason : (error as Error).message)}\n`);
      progress.tick('reports', true);
    }
  }
  progress.stop();
  for (const line of sameDates(parsed)) io.stdout(`${line}\n`);
  for (const line of await editedAfterDelivery(parsed, database)) io.stdout(`${line}\n`);
  return errors > 0 ? 1 : 0;
};

/**
 * One report's line: `held` when it has fewer points than it announces (the bot waits for the
 * rest), `warn` when something needs a look, else `ok`, with information that needs no action.
 */
export function reportLine(name: string, report: Report, wordcloudEnabled: boolean): string {
  const image = missingImageNote(report, { drawn: wordcloudEnabled });
  const warnings = [...report.warnings, ...(image?.level === 'warning' ? [image.text] : [])];
  const missing = incompleteness(report);
  if (missing !== null) {
    // The point-count warning says the same as the held line.
    const others = warnings.filter((w) => !/core points instead of/.test(w));
    return `held ${name}: ${describeIncomplete(missing)}; not delivered until complete (digest post ${report.dateStart} --force sends it as it is)${others.length > 0 ? `; ${oneLine(others.join('; '))}` : ''}`;
  }
  if (warnings.length > 0) return `warn ${name}: ${oneLine(warnings.join('; '))}`;
  return `ok  ${name} (${report.points.length} points)${image ? ` · info: ${image.text}` : ''}`;
}

/**
 * Files covering the same dates: the library serves one of them (for a date, the report that
 * starts latest; among equal ranges, the file whose name sorts first, byte order, so
 * `…_20261127.md` wins over `…_20261127_fix.md`); the others are unreachable.
 */
export function sameDates(parsed: ReadonlyArray<{ name: string; report: Report }>): string[] {
  const byRange = new Map<string, Array<{ name: string; report: Report }>>();
  for (const item of parsed) {
    const key = `${item.report.dateStart}~${item.report.dateEnd}`;
    byRange.set(key, [...(byRange.get(key) ?? []), item]);
  }
  const lines: string[] = [];
  for (const group of byRange.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => (a.report.slug < b.report.slug ? -1 : a.report.slug > b.report.slug ? 1 : 0));
    const winner = sorted[0]!;
    const { dateStart, dateEnd } = winner.report;
    const dates = dateStart === dateEnd ? dateStart : `${dateStart} to ${dateEnd}`;
    for (const other of sorted.slice(1)) {
      lines.push(
        `warn ${other.name}: covers the same dates (${dates}) as ${winner.name}; only ${winner.name} is delivered and shown (of files with the same dates, the name that sorts first wins): merge the two and remove this one`,
      );
    }
  }
  return lines;
}

/** Which database `digest check` reads the ledger of. */
type DatabaseConfig = Pick<Config, 'databasePath' | 'databaseUrl' | 'database' | 'coordinationSchema'>;

/** Reports whose file changed after the last time the ledger says they were delivered. */
async function editedAfterDelivery(
  parsed: ReadonlyArray<{ name: string; report: Report }>,
  database: DatabaseConfig,
): Promise<string[]> {
  if (parsed.length === 0) return [];
  let backend: CliBackend;
  try {
    // Only an existing database is read: `digest check` never creates one.
    backend = await openBackendForCli(database, { mustExist: true });
  } catch {
    // No database yet (nothing delivered, so nothing changed after delivery) or none readable:
    // the lint of the files goes on without it.
    return [];
  }
  const { store } = backend;
  try {
    const lines: string[] = [];
    for (const { name, report } of parsed) {
      const mtimeMs = (await stat(report.file)).mtimeMs;
      const delivered = (await store.listDeliveries({ slug: report.slug })).filter(
        (d) => d.status === 'delivered' && isEditedAfterDelivery(d, report, mtimeMs),
      );
      if (delivered.length === 0) continue;
      const last = delivered.reduce((max, d) => (d.updatedAt > max ? d.updatedAt : max), '');
      lines.push(
        `warn ${name}: changed after it was delivered (to ${delivered.length} destination${delivered.length === 1 ? '' : 's'}, last at ${last}); readers have the earlier version: \`digest post ${report.dateStart} --repost\` sends it again`,
      );
    }
    return lines;
  } finally {
    await backend.close();
  }
}
