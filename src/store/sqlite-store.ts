import type { Database } from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, sql, type DatabaseConnection } from 'kysely';
import { StoreError } from '../errors.ts';
import { databaseFileProblem, fileIdentity, type FileIdentity } from './database-file.ts';
import type { SchemaFlavour, StoreTables } from './kysely-schema.ts';
import { KyselyStore } from './kysely-store.ts';
import { LruCache } from '../report/lru-cache.ts';
import { migrateStore } from './migrate-store.ts';
import { describeStorageFailure, guardStorage, openDatabase } from './open-database.ts';
import type { StoreDialect } from './store-dialect.ts';

export interface SqliteStoreOptions {
  /** Clock for every stored time; tests pin it. Default: the system clock. */
  now?: () => Date;
}

/**
 * Kysely's SQLite driver with `BEGIN IMMEDIATE`: a transaction takes the write lock first, so two
 * processes never both read and then deadlock upgrading to write (one waits the busy timeout).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** SQLite's DDL is transactional: the Migrator may run all pending steps in one transaction. */
class TransactionalDdlAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * The connection as Kysely's driver sees it, with each statement compiled once: Kysely prepares
 * every query anew, and compiling SQL was a tenth of a fan-out's first moments (2,000 claims and
 * marks of a handful of distinct statements). better-sqlite3 statements are reusable, and SQLite
 * recompiles one by itself after a schema change.
 */
function withStatementCache(database: Database): Pick<Database, 'prepare' | 'close'> {
  const statements = new LruCache<string, ReturnType<Database['prepare']>>(STATEMENT_CACHE_SIZE);
  return {
    prepare(source: string) {
      let statement = statements.get(source);
      if (!statement) {
        statement = database.prepare(source);
        statements.set(source, statement);
      }
      return statement;
    },
    close: () => database.close(),
  } as Pick<Database, 'prepare' | 'close'>;
}

/** Distinct statements kept compiled; the store uses a few dozen. */
const STATEMENT_CACHE_SIZE = 256;

class StoreSqliteDialect extends SqliteDialect {
  constructor(private readonly database: Database) {
    super({ database });
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver({ database: withStatementCache(this.database) });
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlAdapter();
  }
}

/**
 * SQLite's schema history before the Migrator was `PRAGMA user_version` (steps 1 to 5). It is
 * kept in step with the Migrator's, so an older bot opening a newer file refuses it by number.
 */
const SQLITE_FLAVOUR: SchemaFlavour = {
  generatedId: 'INTEGER PRIMARY KEY',
  async legacyVersion(db) {
    const row = (await sql<{ user_version: number }>`PRAGMA user_version`.execute(db)).rows[0];
    return Number(row?.user_version ?? 0);
  },
  async afterStep(db, step) {
    if ((await SQLITE_FLAVOUR.legacyVersion(db)) < step) await sql.raw(`PRAGMA user_version = ${step}`).execute(db);
  },
};

/** What is SQLite's own: the single writer, the file guard, the synchronous close. */
class SqliteStoreDialect implements StoreDialect {
  /** The file opened (null in memory): a write to a deleted or replaced file is refused. */
  private readonly opened: FileIdentity | null;

  constructor(
    private readonly database: Database,
    readonly location: string,
  ) {
    this.opened = location === ':memory:' ? null : fileIdentity(location);
  }

  serialise<T>(db: Kysely<StoreTables>, fn: (trx: Kysely<StoreTables>) => Promise<T>): Promise<T> {
    return db.transaction().execute(fn);
  }

  writeProblem(): string | null {
    return this.opened === null ? null : databaseFileProblem(this.location, this.opened);
  }

  describe(error: unknown): string {
    return describeStorageFailure(error);
  }

  async ping(): Promise<void> {
    this.database.prepare('SELECT 1').get();
  }

  /** Closes within the call (no await before it), so a forced exit right after loses nothing. */
  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }
}

/**
 * The default Store: one SQLite file (WAL mode), safe to share between the bot and the `digest`
 * CLI. The KyselyStore on better-sqlite3, plus the file guard's two questions.
 */
export class SqliteStore extends KyselyStore {
  private constructor(
    private readonly database: Database,
    private readonly sqlite: SqliteStoreDialect,
    now: () => Date,
  ) {
    super(new Kysely<StoreTables>({ dialect: new StoreSqliteDialect(database) }), sqlite, now);
  }

  /**
   * Opens (creating the file and its folder if needed) and migrates the database at `path`
   * (`:memory:` for a private in-memory one). Rejects with StoreError with a one-line reason.
   */
  static async open(path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> {
    const database = openDatabase(path);
    const store = new SqliteStore(database, new SqliteStoreDialect(database, path), options.now ?? (() => new Date()));
    try {
      await migrateStore(store.db as Kysely<unknown>, SQLITE_FLAVOUR, {
        location: path,
        setting: 'DATABASE_PATH',
        describe: describeStorageFailure,
      });
    } catch (error) {
      database.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError(path, `cannot open: ${describeStorageFailure(error)}`, { cause: error });
    }
    return store;
  }

  /**
   * Why the file at `path` is no longer the database this store opened (deleted or replaced), or
   * null. Checked before every write; the bot also checks it periodically and before each fan-out.
   */
  fileProblem(): string | null {
    return this.sqlite.writeProblem();
  }

  /**
   * Copies the open database (still readable through this connection after its file was deleted)
   * to `<path>.rescued-<time>` and returns that path. Throws StoreError when it cannot.
   */
  rescue(): string {
    const target = `${this.path}.rescued-${this.stamp().replace(/[:.]/g, '-')}`;
    guardStorage(this.path, `cannot save a copy to ${target}`, () => this.database.prepare('VACUUM INTO ?').run(target));
    return target;
  }
}
