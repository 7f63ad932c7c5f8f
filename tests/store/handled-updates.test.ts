import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { HandledUpdates, HANDLED_UPDATE_RETENTION_MS } from '../../src/store/handled-updates.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

describe('HandledUpdates', () => {
  it('prunes claims older than the retention after a claim, at most once an hour', async () => {
    let now = Date.UTC(2026, 0, 10, 12, 0, 0);
    const clock = () => new Date(now);
    const store = await SqliteStore.open(':memory:', { now: clock });
    const prunes: string[] = [];
    const spy = { claimUpdate: store.claimUpdate.bind(store), pruneUpdates: (before: string) => (prunes.push(before), store.pruneUpdates(before)) };
    const handled = new HandledUpdates(spy, { logger: silentLogger(), now: clock });
    expect(await handled.claim('telegram', '1')).toBe(true);
    expect(prunes).toEqual([new Date(now - HANDLED_UPDATE_RETENTION_MS).toISOString()]);
    now += 30 * 60_000;
    expect(await handled.claim('telegram', '1')).toBe(false);
    expect(prunes).toHaveLength(1);
    // Two days and a bit later update 1 is forgotten by the next prune; update 2, claimed just now, is not.
    now += HANDLED_UPDATE_RETENTION_MS;
    expect(await handled.claim('telegram', '2')).toBe(true);
    expect(prunes).toHaveLength(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.claimUpdate('telegram', '1')).toBe(true);
    expect(await store.claimUpdate('telegram', '2')).toBe(false);
    await store.close();
  });

  it('a failing prune is only logged: the claim still answers', async () => {
    const handled = new HandledUpdates(
      { claimUpdate: async () => true, pruneUpdates: async () => Promise.reject(new Error('database not answering')) },
      { logger: silentLogger() },
    );
    expect(await handled.claim('telegram', '7')).toBe(true);
  });

  it('a failing claim rejects (the webhook then answers 500)', async () => {
    const handled = new HandledUpdates(
      { claimUpdate: async () => Promise.reject(new Error('database not answering')), pruneUpdates: async () => 0 },
      { logger: silentLogger() },
    );
    await expect(handled.claim('telegram', '7')).rejects.toThrow('database not answering');
  });
});
