import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { KyselyStore } from '../store/kysely-store.ts';
import type { Backend, CliBackend } from './backend.ts';
import { openPostgresBackend, openPostgresForCli, openPostgresStoreAt, redactDatabaseUrl } from './postgres/postgres-backend.ts';
import { openSqliteBackend, openSqliteForCli, openSqliteStoreAt } from './sqlite/sqlite-backend.ts';

/**
 * The one place that chooses the database: PostgreSQL when DATABASE_URL is set, otherwise SQLite
 * at DATABASE_PATH. Everything above gets a Backend (or a CliBackend) and never asks again.
 */

/**
 * Opens everything the running bot needs of its database (see Backend), migrated. On SQLite a
 * second bot on the same file is refused before anything is opened. Rejects with a DigestError.
 */
export function openBackend(config: Config, deps: { logger: Logger }): Promise<Backend> {
  return config.databaseUrl ? openPostgresBackend({ ...config, databaseUrl: config.databaseUrl }, deps) : openSqliteBackend(config, deps);
}

/**
 * Opens the configured database for a `digest` command (and the tokenless status-only start),
 * migrated. `mustExist` (read-only commands): a database that is not there is reported with
 * NoDatabaseError, never created in its place. `onLockWait` is told once when a fan-out waits for
 * another process's (`digest post` says so).
 */
export function openBackendForCli(
  config: Pick<Config, 'databasePath' | 'databaseUrl'> & Partial<Pick<Config, 'database' | 'coordinationSchema'>>,
  options: { mustExist?: boolean; logger?: Logger; onLockWait?: (who: string) => void } = {},
): Promise<CliBackend> {
  return config.databaseUrl ? openPostgresForCli({ ...config, databaseUrl: config.databaseUrl }, options) : openSqliteForCli(config, options);
}

/** Whether `location` names a PostgreSQL database (a `postgres://` or `postgresql://` URL). */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** A location as messages show it: a URL without its password. */
export function shownLocation(location: string): string {
  return isDatabaseUrl(location) ? redactDatabaseUrl(location) : location;
}

/**
 * Opens the database at `location`, a SQLite file path or a `postgres://` URL, migrated
 * (`digest db copy`); PostgreSQL with the bot's own connection settings (config `database`).
 * `mustExist`: a SQLite path with no file is refused instead of created. Rejects with StoreError.
 */
export function openStoreAt(location: string, options: { mustExist?: boolean; database?: Config['database'] } = {}): Promise<KyselyStore> {
  return isDatabaseUrl(location) ? openPostgresStoreAt(location, options.database) : openSqliteStoreAt(location, options);
}
