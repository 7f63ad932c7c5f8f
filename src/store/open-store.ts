import { existsSync } from 'node:fs';
import type { Config } from '../config.ts';
import { taggedApplicationName } from '../instance-tag.ts';
import { postgresTimeoutsOf } from '../backend/postgres/postgres-pool-options.ts';
import { StoreError } from '../errors.ts';
import type { KyselyStore } from './kysely-store.ts';
import { PostgresStore } from '../backend/postgres/postgres-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { Store } from './store.ts';

/** The opened store, and the SQLite one when that is what it is (its file guard is SQLite-only). */
export interface OpenedStore {
  store: Store;
  sqlite: SqliteStore | null;
  /** Where the data lives, for logs and messages (a Postgres URL without its password). */
  location: string;
}

/**
 * Opens the configured store: PostgreSQL when `DATABASE_URL` is set, otherwise SQLite at
 * `databasePath`; migrated either way. Rejects with StoreError.
 */
export async function openStore(config: Pick<Config, 'databasePath' | 'databaseUrl'> & Partial<Pick<Config, 'database'>>): Promise<OpenedStore> {
  if (config.databaseUrl) {
    const store = await PostgresStore.open(config.databaseUrl, {
      applicationName: taggedApplicationName('ai-digest-bot'),
      ...(config.database ? { timeouts: postgresTimeoutsOf(config.database) } : {}),
    });
    return { store, sqlite: null, location: store.path };
  }
  const sqlite = await SqliteStore.open(config.databasePath);
  return { store: sqlite, sqlite, location: config.databasePath };
}

/** Whether `location` names a PostgreSQL database (a `postgres://` or `postgresql://` URL). */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Opens the database at `location`, a SQLite file path or a `postgres://` URL, migrated
 * (`digest db copy`). `mustExist`: a SQLite path with no file is refused instead of created.
 * Rejects with StoreError with a one-line reason.
 */
export async function openStoreAt(location: string, options: { mustExist?: boolean } = {}): Promise<KyselyStore> {
  if (isDatabaseUrl(location)) return PostgresStore.open(location, { connectTimeoutMs: 5000 });
  if (options.mustExist && !existsSync(location)) throw new StoreError(location, 'no database file there');
  return SqliteStore.open(location);
}
