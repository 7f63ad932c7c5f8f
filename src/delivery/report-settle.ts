import { stat } from 'node:fs/promises';
import { DigestError } from '../errors.ts';

/** How a report file must look before it may be delivered. */
export interface SettleOptions {
  /** Unchanged (mtime and size) for at least this long since its last modification. */
  settleMs: number;
  /** Give up (the file keeps changing) after waiting this long in all. */
  maxWaitMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** mtime and size, or null when the file cannot be stat'ed (gone, or not a real file: in-memory tests). */
async function fileState(file: string): Promise<{ mtimeMs: number; size: number } | null> {
  try {
    const s = await stat(file);
    return { mtimeMs: s.mtimeMs, size: s.size };
  } catch {
    return null;
  }
}

/**
 * Waits until `file` has not been modified for `settleMs`: a report still being written (a file
 * cut after point 3, or inside a UTF-8 character) must not go out, because once delivered the
 * ledger says "already delivered" and the complete report never would. A file last modified
 * longer ago than that passes at once; otherwise it is watched (mtime and size) until one whole
 * `settleMs` passes without a change, which also copes with a clock that puts mtimes in the future.
 * Returns whether it had to wait (the caller then reads the file again).
 *
 * @throws DigestError when the file is still changing after `maxWaitMs`.
 */
export async function waitUntilSettled(file: string, options: SettleOptions): Promise<boolean> {
  if (options.settleMs <= 0) return false;
  let previous = await fileState(file);
  if (previous === null || options.now() - previous.mtimeMs >= options.settleMs) return false;
  const started = options.now();
  for (;;) {
    if (options.now() - started >= options.maxWaitMs) {
      throw new DigestError(`report ${file} is still being written (still changing after ${options.maxWaitMs} ms); not delivered`);
    }
    await options.sleep(options.settleMs);
    const current = await fileState(file);
    if (current === null) return true;
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return true;
    previous = current;
  }
}
