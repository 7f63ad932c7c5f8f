import { Kysely, Migrator, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { storeMigrations } from '../../src/store/kysely-schema.ts';
import { PostgresStore } from '../../src/backend/postgres/postgres-store.ts';
import { SchemaScopedPostgresDialect } from '../../src/backend/postgres/schema-scoped-dialect.ts';
import { dropSchema, runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../helpers/postgres.ts';

// The 0003-subscription-options step on a database that has subscriptions from before it.
const enabled = await runPostgresTests('postgres-options-step');
const schema = uniqueSchema('digest_options_step');
afterAll(() => dropSchema(schema));

describe.runIf(enabled)('PostgreSQL 0003-subscription-options', () => {
  it('a subscription made before the step reads with the default options, and can be given some', async () => {
    const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1, options: `-c search_path=${schema}` });
    const db = new Kysely<unknown>({ dialect: new SchemaScopedPostgresDialect({ pool }, schema) });
    try {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      // The schema as it was just before the step (the steps after it build on it).
      const all = await storeMigrations({ generatedId: 'SERIAL PRIMARY KEY', legacyVersion: async () => 0, afterStep: async () => undefined }).getMigrations();
      const before = Object.fromEntries(Object.entries(all).filter(([name]) => name < '0003-subscription-options'));
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => before }, migrationTableSchema: schema }).migrateToLatest();
      expect(error).toBeUndefined();
      await sql`INSERT INTO subscriptions (platform, chat_id, thread_id, subscribed_by, subscribed_at, updated_at)
        VALUES ('telegram', '-100555', '', 'cli', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(db);
    } finally {
      await db.destroy();
    }
    const store = await PostgresStore.open(TEST_DATABASE_URL, { schema, maxConnections: 2 });
    try {
      const destination = { platform: 'telegram' as const, chatId: '-100555', threadId: null };
      expect((await store.getSubscription(destination))?.options).toEqual({ mentionRoleId: null, silent: false, wordcloud: true, language: null, layout: null, forumTagId: null, publish: null, collapseDetails: null });
      expect((await store.setSubscriptionOptions(destination, { silent: true }))?.options.silent).toBe(true);
    } finally {
      await store.close();
    }
  });
});
