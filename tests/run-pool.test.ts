import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPool } from '../src/run-pool.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runPool', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps at most `concurrency` in flight and returns results in input order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await runPool([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i++) await tick();
      inFlight -= 1;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('opens its slots one turn of the event loop apart, so what came in meanwhile is answered before the last opens', async () => {
    const order: string[] = [];
    // Stands for a reader's command arriving as the fan-out begins.
    setImmediate(() => order.push('command'));
    await runPool([0, 1, 2, 3, 4, 5], 6, async (i) => {
      order.push(`slot ${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(order[0]).toBe('slot 0');
    expect(order.indexOf('command')).toBeLessThan(order.indexOf('slot 5'));
    expect(order.filter((o) => o.startsWith('slot'))).toHaveLength(6);
  });

  it('opens its slots `openEveryMs` apart when asked (fake clock)', async () => {
    vi.useFakeTimers({ now: 0 });
    const openedAt: number[] = [];
    const run = runPool([0, 1, 2, 3], 4, async () => {
      openedAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 100));
    }, { openEveryMs: 5 });
    await vi.advanceTimersByTimeAsync(4);
    expect(openedAt).toEqual([0]);
    await vi.advanceTimersByTimeAsync(11);
    expect(openedAt).toEqual([0, 5, 10, 15]);
    await vi.advanceTimersByTimeAsync(100);
    await run;
  });

  it('rejects with a slot\'s error once the running slots settle, and opens no further slot', async () => {
    const started: number[] = [];
    const run = runPool([0, 1, 2, 3, 4, 5, 6, 7], 8, async (i) => {
      started.push(i);
      if (i === 0) throw new Error('broken');
      await tick();
    });
    await expect(run).rejects.toThrow('broken');
    expect(started).toEqual([0]);
  });
});
