import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReport } from '../../src/report/read-report.ts';
import type { Report } from '../../src/report/types.ts';

export const CONTENT_DIR = fileURLToPath(new URL('../../content', import.meta.url));

/** Every seed report in content/, parsed, with its markdown. */
export async function loadSeeds(): Promise<{ report: Report; markdown: string }[]> {
  const files = readdirSync(CONTENT_DIR).filter((f) => f.endsWith('.md')).sort();
  return Promise.all(
    files.map(async (f) => {
      const file = path.join(CONTENT_DIR, f);
      return { report: await readReport(file), markdown: await readFile(file, 'utf8') };
    }),
  );
}
