/**
 * Runs `work` over `items` with at most `concurrency` in flight. A slow item holds one slot only,
 * so the rest keep flowing; results come back in input order. `work` should not throw (a throw
 * rejects the whole run after the in-flight items settle).
 */
export async function runPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}
