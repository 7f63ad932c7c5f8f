import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the Postgres tests use: TEST_DATABASE_URL, default the development and CI
 * server (PostgreSQL 15 at 127.0.0.1:5432, trust auth, database `test`). Each test works in its
 * own schema, created and dropped by the test, so parallel runs never see each other's rows.
 */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** REQUIRE_POSTGRES=1 (as .ci/run sets): an unreachable server fails the tests instead of skipping them. */
export const POSTGRES_REQUIRED = process.env['REQUIRE_POSTGRES'] === '1';

/** Null when the server answers a query, else why not (one line). */
export async function postgresProblem(url = TEST_DATABASE_URL): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other run or test uses. */
export function uniqueSchema(prefix = 'digest_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Creates an empty schema for a test (drop it with dropSchema). */
export async function createSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA "${schema}"`);
  } finally {
    await client.end();
  }
}

/** Drops a schema made by a test, with everything in it. */
export async function dropSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Whether this file's Postgres tests run: true when the server answers or REQUIRE_POSTGRES=1
 * (then they fail on an unreachable server). Otherwise prints the one line saying why they skip.
 */
export async function runPostgresTests(file: string): Promise<boolean> {
  const problem = await postgresProblem();
  if (problem === null || POSTGRES_REQUIRED) return true;
  console.info(`[${file}] PostgreSQL tests skipped: ${TEST_DATABASE_URL} unreachable (${problem}); REQUIRE_POSTGRES=1 makes this a failure`);
  return false;
}
