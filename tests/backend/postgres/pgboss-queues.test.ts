import PgBoss from 'pg-boss';
import { describe, expect, it } from 'vitest';
import { ensureQueue } from '../../../src/backend/postgres/pgboss-queues.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.ts';

// Several instances of a new deployment start at once on a fresh pg-boss schema and create the same
// queues: with pg-boss's own createQueue, all but one died with "deadlock detected" (found by
// tests/main/multi-instance.test.ts: one of three instances exited at start).
const enabled = await runPostgresTests('pgboss-queues');
const QUEUES = ['digest-tick', 'digest-fanout-telegram', 'digest-fanout-discord'];

async function startInstance(schema: string): Promise<string> {
  const boss = new PgBoss({ connectionString: TEST_DATABASE_URL, schema, max: 4, supervise: false, schedule: false });
  boss.on('error', () => undefined);
  try {
    await boss.start();
    for (const name of QUEUES) await ensureQueue(boss, { name, retryLimit: 2 });
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  } finally {
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
  }
}

describe.runIf(enabled)('ensureQueue', () => {
  it('three instances creating the same queues at once on a fresh schema all start', async () => {
    for (let round = 0; round < 3; round++) {
      const schema = uniqueSchema('boss_queues');
      try {
        expect(await Promise.all([startInstance(schema), startInstance(schema), startInstance(schema)])).toEqual(['ok', 'ok', 'ok']);
        const boss = new PgBoss({ connectionString: TEST_DATABASE_URL, schema, supervise: false, schedule: false });
        boss.on('error', () => undefined);
        await boss.start();
        expect((await boss.getQueues()).map((q) => q.name).sort()).toEqual([...QUEUES].sort());
        await boss.stop({ graceful: false, close: true });
      } finally {
        await dropSchema(schema);
      }
    }
  }, 60_000);

  it('an error that is no race is the caller\'s at once', async () => {
    const refused = Object.assign(new Error('permission denied for schema x'), { code: '42501' });
    let tries = 0;
    const boss = { getQueue: async () => null, createQueue: async () => { tries++; throw refused; } };
    await expect(ensureQueue(boss as never, { name: 'q' }, async () => undefined)).rejects.toBe(refused);
    expect(tries).toBe(1);
  });
});
