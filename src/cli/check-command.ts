import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { readReport } from '../report/read-report.ts';
import { REPORT_EXTENSIONS } from '../report/report-dates.ts';
import type { CliCommand } from './io.ts';
import { createProgress } from './progress.ts';

const HELP = `usage: digest check [DIR]

Parses every .md / .markdown report in DIR (default: the configured contentDir) and prints one line per file:
  ok  <file> (N points)
  warn <file>: <warnings>
  error <file>: <reason>
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
  try {
    const config = loadConfig({ rootDir: io.cwd, env: io.env });
    imagesDir = config.imagesDir;
    dir = argv[0] !== undefined ? path.resolve(io.cwd, argv[0]) : config.contentDir;
    if (!(await stat(dir)).isDirectory()) throw new Error(`${dir} is not a folder`);
    files = (await readdir(dir))
      .filter((name) => (REPORT_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase()))
      .sort();
  } catch (error) {
    io.stderr(`digest check: ${oneLine((error as Error).message)}\n`);
    return 1;
  }
  if (files.length === 0) {
    io.stderr(`digest check: no report files (.md) in ${dir}\n`);
    return 1;
  }

  let errors = 0;
  const progress = createProgress(io, 'digest check', { reports: files.length });
  for (const name of files) {
    try {
      const report = await readReport(path.join(dir, name), { imagesDir });
      progress.print(
        report.warnings.length > 0
          ? `warn ${name}: ${oneLine(report.warnings.join('; '))}\n`
          : `ok  ${name} (${report.points.length} points)\n`,
      );
      progress.tick('reports', false);
    } catch (error) {
      errors += 1;
      const reason = (error as { reason?: unknown }).reason;
      progress.print(`error ${name}: ${oneLine(typeof reason === 'string' ? reason : (error as Error).message)}\n`);
      progress.tick('reports', true);
    }
  }
  progress.stop();
  return errors > 0 ? 1 : 0;
};
