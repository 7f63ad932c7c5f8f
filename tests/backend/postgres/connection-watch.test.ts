import { describe, expect, it } from 'vitest';
import { ConnectionWatch } from '../../../src/backend/postgres/connection-watch.ts';

/**
 * The watch on its own, with a scripted ping: a server that stops answering (a ping that never
 * settles, as behind a network cut that drops packets) counts as unreachable, and a limit of 0
 * keeps reconnecting forever. The real-server cases are in postgres-outage.test.ts.
 */
describe('ConnectionWatch', () => {
  it('counts a ping that never answers as a failure, and gives up after the limit', async () => {
    let now = 0;
    const watch = new ConnectionWatch({ ping: () => new Promise<void>(() => undefined), outageLimitMs: 10_000, intervalMs: 1000, pingTimeoutMs: 20, now: () => now });
    expect(await watch.check()).toBe(false);
    expect(watch.problem).toBe('database unreachable for 0 s: no answer within 20 ms');
    let gaveUp: string | null = null;
    void watch.lost.then((outage) => (gaveUp = outage.problem));
    now = 9000;
    expect(await watch.check()).toBe(false);
    await Promise.resolve();
    expect(gaveUp).toBeNull();
    now = 10_000;
    await watch.check();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(gaveUp).toBe('database unreachable for 10 s: no answer within 20 ms');
  });

  it('with a limit of 0 never gives up, and reports the recovery once', async () => {
    let now = 0;
    let up = false;
    const restored: number[] = [];
    const watch = new ConnectionWatch({
      ping: async () => {
        if (!up) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      outageLimitMs: 0,
      intervalMs: 1000,
      now: () => now,
      onRestored: (ms) => restored.push(ms),
    });
    let gaveUp = false;
    void watch.lost.then(() => (gaveUp = true));
    await watch.check();
    now = 3_600_000;
    await watch.check();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(gaveUp).toBe(false);
    expect(watch.problem).toBe('database unreachable for 3600 s: connect ECONNREFUSED 127.0.0.1:5432');
    up = true;
    expect(await watch.check()).toBe(true);
    expect(await watch.check()).toBe(true);
    expect(watch.problem).toBeNull();
    expect(restored).toEqual([3_600_000]);
  });
});
