import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import matter from 'gray-matter';
import { ReportParseError } from '../errors.ts';
import { extractCorePoints, findSection } from './core-points.ts';
import { blocksText, inlineText, markdown, type Token } from './markdown-text.ts';
import {
  datesFromLine,
  datesFromName,
  readFrontMatterTime,
  type DateRange,
  type FrontMatterTime,
} from './report-dates.ts';
import type { CorePoint, Report } from './types.ts';

/** Options for {@link parseReport}. */
export interface ParseOptions {
  /** An extra folder to look for the word-cloud image in when it is not beside the report. */
  imagesDir?: string | null;
}

/** How many core points a report has when its heading announces no number; other counts are kept, with a warning. */
export const EXPECTED_POINTS = 10;

/**
 * Reads one report's markdown into a {@link Report}: front matter through gray-matter, structure
 * through markdown-it's token stream.
 *
 * Tolerates CRLF, a BOM, unquoted YAML dates, missing front matter, heading and list variants,
 * point counts other than ten and a missing image (those become `warnings`).
 *
 * @param file  where the text came from; made absolute, and used for the slug, the dates in the
 *              file name and the image path.
 * @throws ReportParseError when the text is empty or binary, or has no dates or no core points.
 */
export function parseReport(text: string, file: string, options: ParseOptions = {}): Report {
  const path = resolve(file);
  const fail = (reason: string, cause?: unknown): never => {
    throw new ReportParseError(path, reason, cause === undefined ? undefined : { cause });
  };
  if (text.includes('\u0000')) fail('not a text file (binary content)');
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalised.trim() === '') fail('file is empty');

  const warnings: string[] = [];
  const front = readFrontMatter(normalised, warnings);
  const tokens = markdown.parse(front.body, {});

  const slug = basename(path, extname(path));
  const dateProblems: string[] = [];
  const range = resolveDates(slug, tokens, front, dateProblems);
  warnings.push(...dateProblems);
  if (range === null) {
    // Malformed dates explain the failure better than "none found".
    fail(
      dateProblems.length > 0
        ? `no valid date: ${dateProblems.join('; ')}`
        : 'no date: none in the file name, the "(YYYY-MM-DD 至 YYYY-MM-DD)" line or the front matter',
    );
  }

  const core = extractCorePoints(tokens);
  if (core.points === null) fail('no core points section (a heading containing 核心信息)');
  const points = core.points as CorePoint[];
  if (points.length === 0) fail('the core points section has no list items');
  warnings.push(...core.warnings);
  const expectedPoints = core.announced ?? EXPECTED_POINTS;
  if (points.length !== expectedPoints) {
    warnings.push(`${points.length} core points instead of ${expectedPoints}`);
  }

  const headline = findHeadline(tokens);
  if (headline === '') warnings.push('no H1 headline');

  const published = front.time;
  if (published?.note) warnings.push(published.note);
  const image = resolveImage(tokens, path, options.imagesDir ?? null);

  return {
    slug,
    file: path,
    dateStart: (range as DateRange).start,
    dateEnd: (range as DateRange).end,
    publishedAt: published?.iso ?? null,
    headline,
    overview: findOverview(tokens),
    points,
    expectedPoints,
    image: image.path,
    missingImage: image.missing,
    warnings,
    contentHash: createHash('sha256').update(text, 'utf8').digest('hex'),
  };
}

interface FrontMatter {
  body: string;
  /** The `date` (or `posttime`) value, read with its offset. */
  time: FrontMatterTime | null;
}

function readFrontMatter(text: string, warnings: string[]): FrontMatter {
  try {
    // Passing options (even empty) bypasses gray-matter's module-level cache, which would
    // otherwise keep every file's text alive for the life of the process.
    const parsed = matter(text, {});
    const data = parsed.data as Record<string, unknown>;
    for (const key of ['date', 'posttime']) {
      const time = readFrontMatterTime(data[key], rawScalar(parsed.matter, key));
      if (time) return { body: parsed.content, time };
    }
    return { body: parsed.content, time: null };
  } catch (error) {
    warnings.push(`front matter is not valid YAML and was ignored: ${(error as Error).message.split('\n')[0]}`);
    return { body: stripFrontMatterBlock(text), time: null };
  }
}

/** The raw text of a top-level `key: value` line in YAML front matter, unquoted. */
function rawScalar(yaml: string, key: string): string | null {
  for (const line of yaml.split('\n')) {
    const m = /^([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (m?.[1] === key) return (m[2] ?? '').trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return null;
}

/** Drops a `---`-fenced block at the top, so broken YAML does not become a setext heading. */
function stripFrontMatterBlock(text: string): string {
  if (!text.startsWith('---\n')) return text;
  const end = text.indexOf('\n---', 4);
  if (end === -1) return text;
  const afterFence = text.indexOf('\n', end + 4);
  return afterFence === -1 ? '' : text.slice(afterFence + 1);
}

/** File name first, then the `(… 至 …)` line, then the front-matter date. */
function resolveDates(
  slug: string,
  tokens: readonly Token[],
  front: FrontMatter,
  problems: string[],
): DateRange | null {
  const fromName = datesFromName(slug);
  if (fromName.kind === 'found') return fromName.range;
  if (fromName.kind === 'invalid') problems.push(fromName.reason);

  for (const token of tokens) {
    if (token.type !== 'inline' || token.level > 1) continue;
    const fromLine = datesFromLine(inlineText(token));
    if (fromLine.kind === 'found') return fromLine.range;
    if (fromLine.kind === 'invalid') {
      problems.push(fromLine.reason);
      break;
    }
  }

  if (front.time) return { start: front.time.date, end: front.time.date };
  return null;
}

function findHeadline(tokens: readonly Token[]): string {
  const index = tokens.findIndex((t) => t.type === 'heading_open' && t.tag === 'h1');
  return index === -1 ? '' : inlineText(tokens[index + 1]);
}

/** The `主要话题与行业趋势概述` section (any heading naming 主要话题 or 概述, but not the core points). */
function findOverview(tokens: readonly Token[]): string {
  const section = findSection(
    tokens,
    (text) => !text.includes('核心信息') && (text.includes('主要话题') || text.includes('概述')),
  );
  return section ? blocksText(tokens, section.from, section.to) : '';
}

/** Every image token in document order, inline children included. */
function* images(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    for (const child of token.children ?? []) {
      if (child.type === 'image') yield child;
    }
  }
}

/**
 * The word cloud (an image whose src mentions `wordcloud`, else the first local image), resolved
 * beside the report, or in `imagesDir` when it is there instead. A missing file keeps the
 * report-relative path and names the file in `missing` (not a warning: the word-cloud step draws
 * one from the text instead).
 */
function resolveImage(
  tokens: readonly Token[],
  reportPath: string,
  imagesDir: string | null,
): { path: string | null; missing: string | null } {
  const local = [...images(tokens)]
    .map((img) => String(img.attrGet('src') ?? ''))
    .filter((src) => src !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(src));
  const src = local.find((s) => /word-?cloud/i.test(s)) ?? local[0];
  if (src === undefined) return { path: null, missing: null };

  let decoded = src;
  try {
    decoded = decodeURI(src);
  } catch {
    // A malformed %-escape: use the src as written.
  }
  const reportDir = dirname(reportPath);
  const candidates = [resolve(reportDir, decoded)];
  // A site-root path (`/images/x.jpg`) is not a file-system path; try it under the report's folder.
  if (isAbsolute(decoded)) candidates.push(join(reportDir, decoded));
  if (imagesDir !== null) {
    candidates.push(join(resolve(imagesDir), decoded), join(resolve(imagesDir), basename(decoded)));
  }
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found) return { path: found, missing: null };
  return { path: candidates[0] ?? null, missing: basename(decoded) };
}
