import type { Kysely } from 'kysely';
import type { StoreTables } from './kysely-schema.ts';

/**
 * What really differs between the databases under the one KyselyStore: how a read-then-write is
 * kept from racing another writer, what may forbid a write (SQLite's file guard), how a
 * failure is worded, the ping and the closing. Everything else is written once.
 */
export interface StoreDialect {
  /** The database as messages name it (a file path, a URL without its password). */
  readonly location: string;
  /**
   * Runs `fn` as one transaction that no other writer of the database interleaves with (SQLite:
   * `BEGIN IMMEDIATE`, its single writer; PostgreSQL: a transaction-level advisory lock).
   */
  serialise<T>(db: Kysely<StoreTables>, fn: (trx: Kysely<StoreTables>) => Promise<T>): Promise<T>;
  /** Why a write must be refused now (the SQLite file was deleted or replaced), or null. */
  writeProblem(): string | null;
  /** A one-line, operator-facing reason for a driver failure. */
  describe(error: unknown): string;
  /** A query that touches the database, on a connection of its own where there is a pool. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
