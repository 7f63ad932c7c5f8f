import { afterAll, describe, expect, it } from 'vitest';
import type { Destination } from '../../src/platforms/platform.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';

// Two writers on one PostgreSQL database, as two bot instances are: each its own pool, racing for
// the same rows. A read-then-write (subscribe) must not fail or double a row however they interleave.
const enabled = await runPostgresTests('postgres-writers-race');
const schema = uniqueSchema('digest_race');
afterAll(() => dropSchema(schema));

describe.runIf(enabled)('two PostgreSQL writers at once', () => {
  it('subscribing the same new destinations from both: every call succeeds, one row each; claims: one winner each', async () => {
    const a = await PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 4 });
    const b = await PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 4 });
    try {
      const destinations: Destination[] = Array.from({ length: 25 }, (_, i) => ({ platform: 'telegram', chatId: `-100${i}`, threadId: null }));
      const subscribed = await Promise.allSettled(
        destinations.flatMap((d, i) => [
          a.subscribe({ ...d, subscribedBy: 'telegram:1', options: { silent: i % 2 === 0 } }),
          b.subscribe({ ...d, subscribedBy: 'telegram:2', options: { wordcloud: false } }),
        ]),
      );
      expect(subscribed.filter((r) => r.status === 'rejected')).toEqual([]);
      const rows = await a.listSubscriptions();
      expect(rows).toHaveLength(destinations.length);
      // Whoever came second kept the first's subscriber and merged its options.
      for (const row of rows) expect(row.options.wordcloud).toBe(false);

      const claims = await Promise.all(
        destinations.flatMap((destination) => [a, b].map((store) => store.claimDelivery({ slug: '2026-01-03', destination, kind: 'scheduled' }))),
      );
      expect(claims.filter((c) => c.created)).toHaveLength(destinations.length);
      expect(new Set(claims.map((c) => c.delivery.id)).size).toBe(destinations.length);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
