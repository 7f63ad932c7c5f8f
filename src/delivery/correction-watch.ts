import type { Logger } from '../log.ts';
import type { LibraryChange } from '../report/library.ts';
import type { Corrections } from './corrections.ts';
import { waitUntilSettled } from './report-settle.ts';

export interface CorrectionWatchDeps {
  library: { watch(onChange: (change: LibraryChange) => void): () => void };
  corrections: Pick<Corrections, 'correct'>;
  /** A changed file is corrected from once unchanged this long (config delivery.reportSettleMs). */
  settleMs: number;
  logger: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs corrections while the bot runs (`delivery.editOnCorrection`): each report file the library
 * sees change is corrected in place once it has settled, one report at a time; a report changed
 * again while it waits is corrected once. The library's watcher notices a change within its poll
 * interval, so a correction reaches the chats within about a minute. Returns stop().
 */
export function watchCorrections(deps: CorrectionWatchDeps): () => void {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const waiting = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();
  let stopped = false;

  const run = async (slug: string): Promise<void> => {
    const file = waiting.get(slug);
    waiting.delete(slug);
    if (stopped || file === undefined) return;
    try {
      await waitUntilSettled(file, { settleMs: deps.settleMs, maxWaitMs: Math.max(60_000, deps.settleMs * 20), now: Date.now, sleep });
      if (!stopped) await deps.corrections.correct(slug);
    } catch (error) {
      deps.logger.warn({ event: 'correction.skipped', slug, reason: error instanceof Error ? error.message : String(error) }, 'a changed report was not corrected in place');
    }
  };

  const unwatch = deps.library.watch((change) => {
    for (const entry of change.changed) {
      if (waiting.has(entry.slug)) continue;
      waiting.set(entry.slug, entry.file);
      queue = queue.then(() => run(entry.slug));
    }
  });
  return () => {
    stopped = true;
    unwatch();
  };
}
