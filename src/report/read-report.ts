import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ReportParseError } from '../errors.ts';
import { parseReport, type ParseOptions } from './parse-report.ts';
import type { Report } from './types.ts';

/** Strict UTF-8 that keeps a BOM in the text, so the content hash matches the file's bytes. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Options for {@link readReport}. */
export interface ReadOptions extends ParseOptions {
  /** A file larger than this (config `content.maxReportBytes`) is refused without being read. */
  maxBytes?: number;
}

/** `2.0 MB`: a size as the messages show it. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Why a file of `size` bytes is refused under `maxBytes`, or null when it may be read. */
export function tooLargeReason(size: number, maxBytes: number | undefined): string | null {
  if (maxBytes === undefined || size <= maxBytes) return null;
  return `too large to be a report: ${formatBytes(size)}, the limit is ${formatBytes(maxBytes)} (content.maxReportBytes); not read`;
}

function readFailure(path: string, error: unknown): ReportParseError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'file does not exist'
      : code === 'EISDIR'
        ? 'is a directory, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : `cannot be read (${code ?? (error as Error).message})`;
  return new ReportParseError(path, reason, { cause: error });
}

/**
 * Reads and parses one report file. The size is checked on the open file before anything is read,
 * so an oversized file costs one `fstat`, never its contents in memory.
 *
 * @throws ReportParseError naming the file when it cannot be read (missing, a directory, no
 *         permission), is over `maxBytes`, is not UTF-8 text, or does not parse as a report.
 */
export async function readReport(file: string, options: ReadOptions = {}): Promise<Report> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const stats = await handle.stat();
      if (stats.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      const tooLarge = tooLargeReason(stats.size, options.maxBytes);
      if (tooLarge) throw new ReportParseError(path, tooLarge);
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof ReportParseError) throw error;
    throw readFailure(path, error);
  }
  if (bytes.includes(0)) throw new ReportParseError(path, 'not a text file (binary content)');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new ReportParseError(path, 'not valid UTF-8 text', { cause: error });
  }
  return parseReport(text, path, options);
}
