/**
 * Runs `work` over `items` with at most `concurrency` in flight. A slow item holds one slot only,
 * so the rest keep flowing; results come back in input order. `work` should not throw (a throw
 * starts nothing more and rejects the whole run once the items in flight settle).
 *
 * The slots open one per turn of the event loop, not all at once: each item's first steps
 * (a fan-out's ledger claim, its reads, the first rendering) run without waiting on the network,
 * so 64 slots opened in one go held the loop for their whole burst, and a reader's command that
 * arrived as a fan-out began waited a few hundred milliseconds behind it. Between two openings the
 * loop answers what has come in meanwhile. With `openEveryMs` they open that far apart instead
 * (the Deliverer's lanes: see FANOUT_LANE_OPENING_MS). The report library's rescan uses it too, so
 * a folder of thousands of reports is stat'ed a few files at a time rather than in one burst.
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  options: { openEveryMs?: number } = {},
): Promise<R[]> {
  const openEveryMs = options.openEveryMs ?? 0;
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  const running: Promise<void>[] = [];
  for (let i = 0; i < lanes && next < items.length; i++) {
    if (i > 0) await new Promise<void>((resolve) => (openEveryMs > 0 ? setTimeout(resolve, openEveryMs) : setImmediate(resolve)));
    // A lane that failed meanwhile: no further lane opens, and no lane takes another item.
    if (failure) break;
    // Watched from the start: a lane failing while later ones are still opening is not an
    // unhandled rejection.
    running.push(lane().catch((error: unknown) => void (failure ??= { error })));
  }
  await Promise.all(running);
  if (failure) throw (failure as { error: unknown }).error;
  return results;
}
