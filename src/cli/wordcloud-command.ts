import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, WORDCLOUD_SIZE } from '../config.ts';
import { ReportLibrary } from '../report/library.ts';
import { readReport } from '../report/read-report.ts';
import type { Report } from '../report/types.ts';
import { parseUserDate } from '../report/user-date.ts';
import { generateWordcloud } from '../wordcloud/generate-wordcloud.ts';
import { pngToJpeg } from '../wordcloud/png-to-jpeg.ts';
import { errorText } from './error-text.ts';
import type { CliCommand, CliIo } from './io.ts';
import { parseCliArgs, UsageError } from './parse-cli-args.ts';

const USAGE = 'usage: digest wordcloud [DATE|FILE] [-o out.png] [--use-existing] [--width N] [--height N]';

const HELP = `${USAGE}

Draws the word cloud of one report and writes it for inspection.
  DATE|FILE       a report file, or a date (2026-01-03, 20260103, today, yesterday); default: newest
  -o, --out       where to write: .png, or .jpg/.jpeg for JPEG (default: wordcloud_<slug>.png here)
  --use-existing  copy the report's own image instead when it exists
  --width/--height  override config wordcloud.width/height (${WORDCLOUD_SIZE.min}-${WORDCLOUD_SIZE.max} pixels)
Prints the file written, its size and the top terms. Exit 1 with a one-line reason on errors.
`;

/** A size flag within the config's bounds: a huge cloud would take minutes of CPU, a tiny one fits no word. */
function pixels(value: string | undefined, name: 'width' | 'height'): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || n < WORDCLOUD_SIZE.min || n > WORDCLOUD_SIZE.max) {
    throw new UsageError(`--${name} must be a whole number of pixels from ${WORDCLOUD_SIZE.min} to ${WORDCLOUD_SIZE.max} (as wordcloud.${name}), not "${value}"`);
  }
  return n;
}

const FORMATS: Record<string, 'png' | 'jpeg'> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg' };

/** The image format the output file's name asks for. */
function formatOf(out: string): 'png' | 'jpeg' {
  const format = FORMATS[path.extname(out).toLowerCase()];
  if (!format) throw new UsageError(`-o ${out}: write a .png, .jpg or .jpeg file`);
  return format;
}

/** `digest wordcloud [DATE|FILE] -o out.png`: draws a report's cloud afresh (ignoring caches). */
export const wordcloudCommand: CliCommand = async (argv, io) => {
  let args;
  let width: number | null;
  let height: number | null;
  try {
    args = parseCliArgs(argv, {
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
    width = pixels(args.values.width, 'width');
    height = pixels(args.values.height, 'height');
    if (args.values.out !== undefined) formatOf(args.values.out);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`digest wordcloud: ${error.message}\n`);
    return 1;
  }

  try {
    const config = loadConfig({ rootDir: io.cwd, env: io.env });
    width ??= config.wordcloud.width;
    height ??= config.wordcloud.height;
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
    const format = formatOf(out);
    const bytes = format === 'jpeg' ? await pngToJpeg(result.png) : result.png;
    await writeFile(out, bytes);
    const ms = Math.round(performance.now() - started);
    const top = result.words.slice(0, 15).map((w) => `${w.text} ${round(w.weight)}`).join(', ');
    io.stdout(
      `${out}\n  ${width}×${height} ${format.toUpperCase()}, ${bytes.length} bytes, ${result.placed.length} of ${result.words.length} terms placed, ${ms} ms\n  top terms: ${top}\n`,
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
    if (existsSync(file)) return readReport(file, options);
    if (/\.(md|markdown)$/i.test(target) || target.includes('/')) throw new Error(`no such file: ${target}`);
  }
  const library = await ReportLibrary.open(config.contentDir, options);
  if (target === undefined) {
    const newest = await library.latest();
    if (!newest) throw new Error(`no reports in ${config.contentDir}`);
    return newest;
  }
  return library.findByDate(parseUserDate(target, { timezone: config.timezone, now: new Date() }));
}
