import { existsSync } from 'node:fs';
import type { Config } from '../config.ts';
import { StoreError } from '../errors.ts';
import { openStore, type OpenedStore } from '../store/open-store.ts';
import { redactDatabaseUrl } from '../backend/postgres/postgres-store.ts';
import { postgresTablesExist } from '../backend/postgres/postgres-tables-exist.ts';

/** The database read-only commands find missing: said plainly, never created in its place. */
export class NoDatabaseError extends StoreError {
  override name = 'NoDatabaseError';
}

/**
 * Opens the configured database for a read-only command (`status`, `subs list`, `check`) only when
 * it exists: a typo in DATABASE_PATH, or a DATABASE_URL naming an empty database, is reported
 * instead of becoming a new, empty bot database. Rejects with NoDatabaseError for a missing one.
 */
export async function openExistingStore(config: Pick<Config, 'databasePath' | 'databaseUrl'>): Promise<OpenedStore> {
  if (config.databaseUrl) {
    if (!(await postgresTablesExist(config.databaseUrl))) {
      throw new NoDatabaseError(
        redactDatabaseUrl(config.databaseUrl),
        "has no bot tables (DATABASE_URL): the bot creates them on its first start, as does `digest subs add`; check the URL and its schema",
      );
    }
  } else if (config.databasePath !== ':memory:' && !existsSync(config.databasePath) && !hasSidecarFiles(config.databasePath)) {
    // With its -wal or -shm still there the file was lost, not never made: the store's own file
    // guard says so (and refuses) below, which tells the operator more than "no such file".
    throw new NoDatabaseError(
      config.databasePath,
      'no such file (DATABASE_PATH): the bot creates it on its first start, as does `digest subs add`; check the path',
    );
  }
  return openStore(config);
}

/** Whether SQLite's write-ahead log or shared-memory file of `databasePath` is there. */
function hasSidecarFiles(databasePath: string): boolean {
  return existsSync(`${databasePath}-wal`) || existsSync(`${databasePath}-shm`);
}
