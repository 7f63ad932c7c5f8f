import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { ReportLibrary } from '../report/library.ts';
import { readReport } from '../report/read-report.ts';
import type { Report } from '../report/types.ts';
import { parseUserDate } from '../report/user-date.ts';
import { generateWordcloud } from '../wordcloud/generate-wordcloud.ts';
import { errorText } from './error-text.ts';
import type { CliCommand, CliIo } from './io.ts';

const USAGE = 'usage: digest wordcloud [DATE|FILE] [-o out.png] [--use-existing] [--width N] [--height N]';

const HELP = `${USAGE}

Draws the word cloud of one report and writes it for inspection.
  DATE|FILE       a report file, or a date (2026-01-03, 20260103, today, yesterday); default: newest
  -o, --out       where to write (default: wordcloud_<slug>.png in the current folder)
  --use-existing  copy the report's own image instead when it exists
  --width/--height  override config wordcloud.width/height
Prints the file written, its size and the top terms. Exit 1 with a one-line reason on errors.
`;

class UsageError extends Error {}

function positiveInt(value: string | undefined, name: string): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive whole number`);
  return Number(value);
}

/** `digest wordcloud [DATE|FILE] -o out.png`: draws a report's cloud afresh (ignoring caches). */
export const wordcloudCommand: CliCommand = async (argv, io) => {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string', short: 'o' },
        'use-existing': { type: 'boolean', default: false },
        width: { type: 'string' },
        height: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (args.values.help) {
      io.stdout(HELP);
      return 0;
    }
    if (args.positionals.length > 1) throw new UsageError('expected at most one DATE or FILE');
  } catch (error) {
    io.stderr(`digest wordcloud: ${(error as Error).message}\n${USAGE}\n`);
    return 1;
  }

  try {
    const config = loadConfig({ rootDir: io.cwd, env: io.env });
    const width = positiveInt(args.values.width, 'width') ?? config.wordcloud.width;
    const height = positiveInt(args.values.height, 'height') ?? config.wordcloud.height;
    const report = await findReport(args.positionals[0], io, config);
    const out = path.resolve(io.cwd, args.values.out ?? `wordcloud_${report.slug}.png`);
    await mkdir(path.dirname(out), { recursive: true });

    if (args.values['use-existing'] && report.image && existsSync(report.image)) {
      await copyFile(report.image, out);
      io.stdout(`${out}\n  the report's own image (${statSync(out).size} bytes), copied from ${report.image}\n`);
      return 0;
    }
    const started = performance.now();
    const markdown = await readFile(report.file, 'utf8');
    const result = await generateWordcloud(report, markdown, { width, height });
    await writeFile(out, result.png);
    const ms = Math.round(performance.now() - started);
    const top = result.words.slice(0, 15).map((w) => `${w.text} ${round(w.weight)}`).join(', ');
    io.stdout(
      `${out}\n  ${width}×${height} PNG, ${result.png.length} bytes, ${result.placed.length} of ${result.words.length} terms placed, ${ms} ms\n  top terms: ${top}\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`digest wordcloud: ${errorText(error)}\n`);
    return 1;
  }
};

function round(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** FILE if the argument names an existing file, else a DATE in the content folder, else the newest. */
async function findReport(
  target: string | undefined,
  io: CliIo,
  config: ReturnType<typeof loadConfig>,
): Promise<Report> {
  const options = { imagesDir: config.imagesDir };
  if (target !== undefined) {
    const file = path.resolve(io.cwd, target);
    if (existsSync(file) || /\.(md|markdown)$/i.test(target)) return readReport(file, options);
  }
  const library = await ReportLibrary.open(config.contentDir, options);
  if (target === undefined) {
    const newest = await library.latest();
    if (!newest) throw new Error(`no reports in ${config.contentDir}`);
    return newest;
  }
  return library.findByDate(parseUserDate(target, { timezone: config.timezone, now: new Date() }));
}
