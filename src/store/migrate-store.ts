import { Migrator, sql, type Kysely } from 'kysely';
import { StoreError } from '../errors.ts';
import { STORE_MIGRATION_NAMES, storeMigrations, type SchemaFlavour } from './kysely-schema.ts';

/** Where the schema is migrated, for the Migrator and for messages. */
export interface MigrationTarget {
  /** The database as messages name it (a file path, a URL without its password). */
  location: string;
  /** The setting an operator changes to use another database (`DATABASE_PATH`, `DATABASE_URL`). */
  setting: string;
  /** PostgreSQL: the schema the tables and the Migrator's bookkeeping go in. */
  tableSchema?: string;
  /** One-line reason for a driver failure. */
  describe(error: unknown): string;
}

/** The schema version of a database: the steps applied, by either history. */
export async function schemaVersion(db: Kysely<unknown>, flavour: SchemaFlavour, tableSchema?: string): Promise<{ version: number; unknown: string[] }> {
  const table = tableSchema ? sql.id(tableSchema, 'kysely_migration') : sql.id('kysely_migration');
  let names: string[] = [];
  try {
    names = (await sql<{ name: string }>`SELECT name FROM ${table}`.execute(db)).rows.map((row) => row.name);
  } catch {
    // No Migrator history yet (a fresh database, or a SQLite file from before it).
  }
  const unknown = names.filter((name) => !STORE_MIGRATION_NAMES.includes(name));
  return { version: Math.max(names.length, await flavour.legacyVersion(db)), unknown };
}

/**
 * Brings the schema up to this version's steps with Kysely's Migrator (one history on both
 * databases, all pending steps in one transaction). A database at a newer schema than this
 * version knows is refused untouched. Rejects with StoreError.
 */
export async function migrateStore(db: Kysely<unknown>, flavour: SchemaFlavour, target: MigrationTarget): Promise<void> {
  const known = STORE_MIGRATION_NAMES.length;
  const { version, unknown } = await schemaVersion(db, flavour, target.tableSchema);
  if (version > known || unknown.length > 0) {
    throw new StoreError(
      target.location,
      `schema version ${version} is newer than this bot understands (${known}); upgrade the bot or use a different ${target.setting}`,
    );
  }
  const { error, results } = await new Migrator({
    db,
    provider: storeMigrations(flavour),
    ...(target.tableSchema ? { migrationTableSchema: target.tableSchema } : {}),
  }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(target.location, `migration ${failed} failed: ${target.describe(error)}`, { cause: error });
  }
}
