import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays } from '../src/report/user-date.ts';

/** The seed every generated report is copied from (a real report with ten points and front matter). */
const SEED = fileURLToPath(new URL('../tests/fixtures/reports/seeds/twitter_ai_20260103_20260103.md', import.meta.url));
const SEED_DATE = '2026-01-03';

/** One generated report. */
export interface GeneratedReport {
  file: string;
  date: string;
}

/**
 * Fills `dir` with `count` one-day reports named `twitter_ai_YYYYMMDD_YYYYMMDD.md`, one per day
 * ending at `lastDate` (so 3,650 is ten years of daily posts). Each is the seed with its dates
 * (front matter, date line, image name) rewritten. Returns them oldest first.
 */
export async function buildReportFolder(
  dir: string,
  count: number,
  options: { lastDate?: string } = {},
): Promise<GeneratedReport[]> {
  await mkdir(dir, { recursive: true });
  const seed = readFileSync(SEED, 'utf8');
  const lastDate = options.lastDate ?? SEED_DATE;
  const reports: GeneratedReport[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const date = addDays(lastDate, -i);
    const compact = date.replaceAll('-', '');
    reports.push({ file: join(dir, `twitter_ai_${compact}_${compact}.md`), date });
  }
  const seedCompact = SEED_DATE.replaceAll('-', '');
  // Bounded batches: thousands of parallel writes would exhaust file descriptors on some systems.
  const batch = 64;
  for (let start = 0; start < reports.length; start += batch) {
    await Promise.all(
      reports.slice(start, start + batch).map(({ file, date }) =>
        writeFile(file, seed.replaceAll(SEED_DATE, date).replaceAll(seedCompact, date.replaceAll('-', ''))),
      ),
    );
  }
  return reports;
}
