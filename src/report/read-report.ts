import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ReportParseError } from '../errors.ts';
import { parseReport, type ParseOptions } from './parse-report.ts';
import type { Report } from './types.ts';

/** Strict UTF-8 that keeps a BOM in the text, so the content hash matches the file's bytes. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads and parses one report file.
 *
 * @throws ReportParseError naming the file when it cannot be read (missing, a directory, no
 *         permission), is not UTF-8 text, or does not parse as a report.
 */
export async function readReport(file: string, options: ParseOptions = {}): Promise<Report> {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'file does not exist'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `cannot be read (${code ?? (error as Error).message})`;
    throw new ReportParseError(path, reason, { cause: error });
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
