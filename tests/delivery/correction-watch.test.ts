import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchCorrections } from '../../src/delivery/correction-watch.ts';
import { silentLogger } from '../../src/log.ts';
import { ReportLibrary } from '../../src/report/library.ts';
import { SEED_REPORTS } from '../cli/post-helpers.ts';
import { until } from '../helpers/until.ts';

const SLUG = 'twitter_ai_20260103_20260103';

describe('watchCorrections: a report changed while the bot runs is corrected once it settles', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('corrects a changed report (once per change), never a newly added one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'correction-watch-'));
    dirs.push(dir);
    cpSync(path.join(SEED_REPORTS, `${SLUG}.md`), path.join(dir, `${SLUG}.md`));
    const library = await ReportLibrary.open(dir, { logger: silentLogger() });
    const corrected: string[] = [];
    const stop = watchCorrections({
      library,
      corrections: { correct: async (slug) => (corrected.push(slug), { slug, contentHash: '', upToDate: 0, unknownVersion: 0, outcomes: [] }) },
      settleMs: 0,
      logger: silentLogger(),
    });
    try {
      cpSync(path.join(SEED_REPORTS, 'twitter_ai_20260122_20260122.md'), path.join(dir, 'twitter_ai_20260122_20260122.md'));
      await library.refresh();
      const file = path.join(dir, `${SLUG}.md`);
      writeFileSync(file, readFileSync(file, 'utf8').replace('核心信息', '核心信息 '));
      await library.refresh();
      await until('the correction of the changed report', () => corrected.length > 0, 10_000);
      // A rescan that finds nothing new corrects nothing more.
      await library.refresh();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(corrected).toEqual([SLUG]);
    } finally {
      stop();
    }
  });
});
