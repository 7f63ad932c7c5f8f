import { afterAll, describe } from 'vitest';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';
import { storeContract } from './store-contract.ts';

// The Store contract on PostgreSQL (TEST_DATABASE_URL): each test in a schema of its own, dropped
// at the end of the file; skipped with one line when no server answers, unless REQUIRE_POSTGRES=1.
const enabled = await runPostgresTests('postgres-store');
const schemas: string[] = [];

async function openIn(schema: string, now?: () => Date): Promise<PostgresStore> {
  if (!schemas.includes(schema)) schemas.push(schema);
  return PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 2, ...(now ? { now } : {}) });
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
});

describe.runIf(enabled)('PostgresStore', () => {
  storeContract({
    open: ({ now }) => openIn(uniqueSchema(), now),
    persistent: async () => {
      const schema = uniqueSchema();
      return {
        open: () => openIn(schema),
        remove: () => dropSchema(schema),
      };
    },
  });
});
