import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';

// Other bots and test runs share the server: they create and drop schemas and tables while this
// bot opens its store. Opening (the Migrator's check for its bookkeeping tables) must look at the
// bot's own schema only; a listing of the whole server failed on CI with a table dropped in the
// middle of it, and `digest subs add` exited 1.
const enabled = await runPostgresTests('postgres-open-beside-churn');
const schemas: string[] = [];
afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

/** Creates and drops schemas with tables (serial columns, as the bot's own) until `stop()`. */
function churn(): { stop: () => Promise<number> } {
  let running = true;
  let rounds = 0;
  const done = (async () => {
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      while (running) {
        const schema = uniqueSchema('digest_churn');
        await client.query(`CREATE SCHEMA "${schema}"`);
        for (let t = 0; t < 20; t += 1) await client.query(`CREATE TABLE "${schema}".t${t} (id SERIAL PRIMARY KEY, a TEXT, b INTEGER)`);
        await client.query(`DROP SCHEMA "${schema}" CASCADE`);
        rounds += 1;
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return rounds;
    },
  };
}

describe.runIf(enabled)('opening the PostgreSQL store while others create and drop schemas on the server', () => {
  it('migrates and reopens every time, seeing only its own schema', async () => {
    const churners = Array.from({ length: 6 }, () => churn());
    const failures: string[] = [];
    try {
      for (let i = 0; i < 10; i += 1) {
        const schema = uniqueSchema('digest_open');
        schemas.push(schema);
        // A fresh schema (every step applied), then the same one again (nothing to apply).
        for (const pass of ['fresh', 'again']) {
          try {
            const store = await PostgresStore.open(TEST_DATABASE_URL, { schema });
            await store.close();
          } catch (error) {
            failures.push(`${pass}: ${(error as Error).message}`);
          }
        }
      }
    } finally {
      const rounds = await Promise.all(churners.map((c) => c.stop()));
      // The churn really ran alongside (otherwise the test proves nothing).
      expect(rounds.every((r) => r > 0)).toBe(true);
    }
    expect(failures).toEqual([]);
  });

});
