import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { StoreError } from '../../errors.ts';
import type { SchemaFlavour, StoreTables } from '../../store/kysely-schema.ts';
import { describePostgresFailure, postgresPoolOptions, type PostgresTimeouts } from './postgres-pool-options.ts';
import { KyselyStore } from '../../store/kysely-store.ts';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect.ts';
import { migrateStore } from '../../store/migrate-store.ts';
import type { StoreDialect } from '../../store/store-dialect.ts';

export interface PostgresStoreOptions {
  /** Clock for every stored time; tests pin it. Default: the system clock. */
  now?: () => Date;
  /** Schema for every table (created if missing); default the server's search_path (`public`). */
  schema?: string;
  /** Pool size; default 5. */
  maxConnections?: number;
  /**
   * `application_name` of the pool's sessions (pg_stat_activity), so an operator can tell the
   * bot's connections apart; default `ai-digest-bot`. A URL parameter `application_name` wins.
   */
  applicationName?: string;
  /**
   * How long a query may wait for a connection (a new one, or a free one of the pool) before it
   * fails; default unlimited (a big fan-out's writes queue for the pool rather than fail). The
   * connection watch notices a server that no longer answers on its own.
   */
  connectTimeoutMs?: number;
  /** How long the server may take to answer (config `database`); DEFAULT_POSTGRES_TIMEOUTS otherwise. */
  timeouts?: PostgresTimeouts;
}

/**
 * Any key for the transaction-level advisory lock a read-then-write takes (subscribe, a
 * supergroup move): such writers run one at a time, as under SQLite's write lock. Single-statement
 * writes and reads take no lock.
 */
const WRITE_LOCK_KEY = 0x6469_6765; // "dige"

/** `postgres://user:secret@host/db` → `postgres://user@host/db`, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** PostgreSQL has kept its history in the Migrator from the start. */
const POSTGRES_FLAVOUR: SchemaFlavour = {
  generatedId: 'SERIAL PRIMARY KEY',
  legacyVersion: async () => 0,
  afterStep: async () => undefined,
};

/** What is PostgreSQL's own: the advisory lock, and a ping on a pool of its own. */
class PostgresStoreDialect implements StoreDialect {
  constructor(
    readonly location: string,
    private readonly db: Kysely<StoreTables>,
    private readonly probe: pg.Pool,
  ) {}

  serialise<T>(db: Kysely<StoreTables>, fn: (trx: Kysely<StoreTables>) => Promise<T>): Promise<T> {
    return db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(trx);
      return fn(trx);
    });
  }

  writeProblem(): null {
    return null;
  }

  describe(error: unknown): string {
    return messageOf(error);
  }

  async ping(): Promise<void> {
    await this.probe.query('SELECT 1');
  }

  async close(): Promise<void> {
    await Promise.all([this.db.destroy(), this.probe.end()]);
  }
}

/**
 * The Store on PostgreSQL (`DATABASE_URL=postgres://…`): the KyselyStore on the `pg` pool. The
 * schema is migrated at open, in the same history as SQLite's. Every failure is a StoreError
 * naming the database (without its password).
 */
export class PostgresStore extends KyselyStore {
  /**
   * Connects, creates the schema if asked and applies pending migrations. Rejects with StoreError
   * with a one-line reason when the server cannot be reached or a migration fails.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const shown = redactDatabaseUrl(url);
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new StoreError(shown, `not a schema name: "${schema}"`);
    const makePool = (max: number, connectTimeoutMs = options.connectTimeoutMs): pg.Pool => {
      const pool = new pg.Pool({
        ...postgresPoolOptions({
          connectionString: url,
          applicationName: options.applicationName ?? 'ai-digest-bot',
          ...(options.timeouts ? { timeouts: options.timeouts } : {}),
          ...(schema ? { schema } : {}),
        }),
        max,
        ...(connectTimeoutMs === undefined ? {} : { connectionTimeoutMillis: connectTimeoutMs }),
      });
      // An idle client the server dropped (a server restart, pg_terminate_backend) must not crash
      // the process: the pool discards it and the next query opens a new connection. The outage
      // itself is noticed and reported by ConnectionWatch, not once per dropped client here.
      pool.on('error', () => undefined);
      // pg emits a socket error on the client itself, and the pool listens only while the client is
      // idle: a connection reset while a client is checked out (a query being written as the server
      // goes down) would be an uncaught exception that kills the bot. The query in flight still
      // fails with the error, and the pool discards the broken client at its release.
      pool.on('connect', (client) => client.on('error', () => undefined));
      return pool;
    };
    const pool = makePool(options.maxConnections ?? 5);
    // Pings (readiness, the connection watch) get a connection of their own: behind a big
    // fan-out's queue of writes they would time out and report a healthy server as unreachable.
    // Bounded, so a server that drops packets fails a ping rather than hold the one connection.
    const probe = makePool(1, 5000);
    const db = new Kysely<StoreTables>({ dialect: new SchemaScopedPostgresDialect({ pool }, schema) });
    try {
      if (schema) await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
      // The migrator's bookkeeping goes in the schema the tables go in, the one schema the
      // dialect's introspection looks at (SchemaScopedPostgresDialect).
      const tablesSchema = schema ?? (await sql<{ name: string | null }>`SELECT current_schema() AS name`.execute(db)).rows[0]?.name;
      if (!tablesSchema) throw new StoreError(shown, 'no schema to create the tables in (the search_path names none that exists)');
      await migrateStore(db as Kysely<unknown>, POSTGRES_FLAVOUR, { location: shown, setting: 'DATABASE_URL', tableSchema: tablesSchema, describe: messageOf });
    } catch (error) {
      await db.destroy().catch(() => undefined);
      await probe.end().catch(() => undefined);
      if (error instanceof StoreError) throw error;
      throw new StoreError(shown, `cannot open: ${describePostgresFailure(error, options.timeouts)}`, { cause: error });
    }
    return new PostgresStore(db, new PostgresStoreDialect(shown, db, probe), options.now ?? (() => new Date()));
  }

}
