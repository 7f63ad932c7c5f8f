import pg from 'pg';

/**
 * How long the bot waits on its PostgreSQL server (config `database`). Every pool and client the
 * bot opens (the store, its probe, the fan-out lock, pg-boss) uses them, so a server that stops
 * answering without closing its sockets (packets dropped, a listener that never replies) is an
 * error within these times, never a hang.
 */
export interface PostgresTimeouts {
  /** Opening one connection (TCP, TLS, authentication). */
  connectTimeoutMs: number;
  /** One statement: the server cancels it after this; the client gives up a moment later. */
  statementTimeoutMs: number;
  /** The server ends a session left idle inside a transaction this long (its locks go with it). */
  idleInTransactionTimeoutMs: number;
  /** TCP keepalive probes start after the socket has been idle this long. */
  keepAliveMs: number;
}

export const DEFAULT_POSTGRES_TIMEOUTS: PostgresTimeouts = {
  connectTimeoutMs: 10_000,
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 30_000,
  keepAliveMs: 10_000,
};

/**
 * The client stops waiting this long after the server's own statement timeout should have
 * answered: a server that is there cancels the statement itself (a clean error, the connection
 * stays usable); only a silent one makes the client give up.
 */
const CLIENT_GRACE_MS = 2000;

/** The `database` section of the configuration, as PostgresTimeouts. */
export function postgresTimeoutsOf(database: {
  connectTimeoutSeconds: number;
  statementTimeoutSeconds: number;
  idleInTransactionTimeoutSeconds: number;
  keepAliveSeconds: number;
}): PostgresTimeouts {
  return {
    connectTimeoutMs: Math.round(database.connectTimeoutSeconds * 1000),
    statementTimeoutMs: Math.round(database.statementTimeoutSeconds * 1000),
    idleInTransactionTimeoutMs: Math.round(database.idleInTransactionTimeoutSeconds * 1000),
    keepAliveMs: Math.round(database.keepAliveSeconds * 1000),
  };
}

/** What every connection of the bot is opened with. */
export interface PostgresConnectionInput {
  connectionString: string;
  /** `application_name` (pg_stat_activity); a URL parameter wins. */
  applicationName: string;
  timeouts?: PostgresTimeouts;
  /** Schema put first on the search_path of every session. */
  schema?: string;
}

/**
 * Options for a `pg.Pool` (or `pg.Client`, or pg-boss, which hands them to its pool): the server's
 * statement and idle-in-transaction timeouts, a client-side read timeout just beyond the statement
 * timeout, TCP keepalive, and a client class whose connecting is bounded and which drops its
 * connection when a read times out. The pool's own wait for a free connection stays unbounded: a
 * big fan-out's writes queue for the pool rather than fail, and each of them is bounded anyway.
 */
export function postgresPoolOptions(input: PostgresConnectionInput): pg.PoolConfig {
  const timeouts = input.timeouts ?? DEFAULT_POSTGRES_TIMEOUTS;
  return {
    connectionString: input.connectionString,
    application_name: input.applicationName,
    Client: boundedClientClass(timeouts.connectTimeoutMs),
    statement_timeout: timeouts.statementTimeoutMs,
    query_timeout: timeouts.statementTimeoutMs + CLIENT_GRACE_MS,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveMs,
    ...(input.schema ? { options: `-c search_path=${input.schema}` } : {}),
  };
}

/** A single connection with the same bounds (the fan-out lock's). */
export function openBoundedClient(input: PostgresConnectionInput): pg.Client {
  const { Client, ...options } = postgresPoolOptions(input);
  return new (Client as typeof pg.Client)(options);
}

/**
 * pg's reason for a failure, in the operator's terms where pg's are cryptic: a connection that
 * was not answered in time says so, with the key that sets the limit.
 */
export function describePostgresFailure(error: unknown, timeouts: PostgresTimeouts = DEFAULT_POSTGRES_TIMEOUTS): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message === 'timeout expired' || message.startsWith('Connection terminated due to connection timeout')) {
    return `no answer within ${timeouts.connectTimeoutMs / 1000} s (database.connectTimeoutSeconds): the server accepts connections but does not answer`;
  }
  if (message === READ_TIMEOUT) return `no answer within ${(timeouts.statementTimeoutMs + CLIENT_GRACE_MS) / 1000} s (database.statementTimeoutSeconds)`;
  return message;
}

/** pg's own error for a query whose answer did not come within `query_timeout`. */
const READ_TIMEOUT = 'Query read timeout';

/**
 * A pg.Client whose connecting gives up after `connectTimeoutMs` (set on the client, not the pool,
 * whose use of the same option would also bound the wait for a free connection), and which ends its
 * connection when a query times out on the client side. pg leaves such a connection waiting for
 * the lost answer, so every later query on it would time out too, and when the server comes back it
 * would carry on with a transaction the bot already gave up on; ended, the pool replaces it and the
 * server rolls the abandoned transaction back.
 */
function boundedClientClass(connectTimeoutMs: number): typeof pg.Client {
  return class BoundedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super({ ...(typeof config === 'string' ? { connectionString: config } : config), connectionTimeoutMillis: connectTimeoutMs });
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      const dropIfTimedOut = (error: unknown): void => {
        if (error instanceof Error && error.message === READ_TIMEOUT) {
          (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
        }
      };
      (this as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]): unknown => {
        const last = args.at(-1);
        if (typeof last === 'function') {
          args[args.length - 1] = (error: unknown, result: unknown) => {
            dropIfTimedOut(error);
            (last as (e: unknown, r: unknown) => void)(error, result);
          };
        }
        const out = query(...args);
        // A branch of its own: the caller still gets (and handles) the rejection.
        if (out instanceof Promise) out.catch(dropIfTimedOut);
        return out;
      };
    }
  };
}
