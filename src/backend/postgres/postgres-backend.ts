import type { Config } from '../../config.ts';
import { NoDatabaseError } from '../../errors.ts';
import { taggedApplicationName } from '../../instance-tag.ts';
import type { Logger } from '../../log.ts';
import type { PlatformName } from '../../words.ts';
import type { Backend, BackendLoss, CliBackend, Coordination, CoordinationInput } from '../backend.ts';
import { ConnectionWatch } from './connection-watch.ts';
import { FanoutCoordinator } from './fanout-coordinator.ts';
import { PostgresFanoutLock } from './postgres-fanout-lock.ts';
import { listPostgresPeers } from './postgres-peers.ts';
import { PostgresRateBudget } from './postgres-rate-budget.ts';
import { postgresTimeoutsOf, type PostgresTimeouts } from './postgres-pool-options.ts';
import { PostgresStore, redactDatabaseUrl, type PostgresStoreOptions } from './postgres-store.ts';
import { postgresTablesExist } from './postgres-tables-exist.ts';

/** What the PostgreSQL backend reads of the configuration. */
export type PostgresBackendConfig = Pick<Config, 'schedule' | 'timezone' | 'env' | 'databaseOutageExitSeconds'> &
  Partial<Pick<Config, 'database' | 'coordinationSchema'>> & { databaseUrl: string };

/** The server timeouts of config `database`, when given (the defaults otherwise). */
function timeoutsOf(database: Config['database'] | undefined): { timeouts?: PostgresTimeouts } {
  return database ? { timeouts: postgresTimeoutsOf(database) } : {};
}

/**
 * How every store of the bot is opened on PostgreSQL, the bot's, the CLI's and `digest db copy`'s:
 * the instance's tag in `application_name`, and the configured timeouts.
 */
export function postgresStoreOptionsOf(database: Config['database'] | undefined): PostgresStoreOptions {
  return { applicationName: taggedApplicationName('ai-digest-bot'), ...timeoutsOf(database) };
}

/**
 * The per-platform advisory lock every instance and `digest post` take. The instances of one bot
 * share the pg-boss schema as the lock's namespace; another bot on the same server, with its own
 * schema, never waits for this one's lock.
 */
function fanoutLockOf(config: Pick<PostgresBackendConfig, 'databaseUrl' | 'database' | 'coordinationSchema'>, logger: Logger | undefined, onLockWait?: (who: string) => void): PostgresFanoutLock {
  return new PostgresFanoutLock({
    connectionString: config.databaseUrl,
    ...timeoutsOf(config.database),
    namespace: config.coordinationSchema ?? 'pgboss',
    ...(logger ? { logger } : {}),
    onWait: (scope) => onLockWait?.(`another instance sending ${scope}`),
  });
}

/**
 * The bot on a shared PostgreSQL database, any number of instances: the store on a pool, a
 * per-platform advisory lock for the fan-outs, pg-boss for who runs which fan-out, and the
 * connection watch (a server restart or a network cut never leaves the bot up but idle: the pool
 * reconnects by itself; the watch says so, catches up once the server answers, and ends the
 * process when the outage outlasts `databaseOutageExitSeconds`).
 */
export async function openPostgresBackend(config: PostgresBackendConfig, deps: { logger: Logger }): Promise<Backend> {
  const { logger } = deps;
  const store = await PostgresStore.open(config.databaseUrl, postgresStoreOptionsOf(config.database));
  const location = store.path;
  const lock = fanoutLockOf(config, logger);
  let restored: () => void = () => undefined;
  const watch = new ConnectionWatch({
    ping: () => store.ping(),
    logger,
    outageLimitMs: config.databaseOutageExitSeconds * 1000,
    onRestored: () => restored(),
  });
  // The database gone for too long, or this instance's fan-out lock gone with its connection
  // (another instance may be sending its platform now): stop sending at once, exit non-zero.
  const urgent = (reason: string): BackendLoss => ({ reason, urgent: true, storeGone: true, storeProblem: null, alert: `digest bot stopped: ${reason}.`, logged: false });
  let storeGone = false;
  const lost = Promise.race([
    watch.lost.then((outage) =>
      urgent(`database ${location} unreachable for longer than ${config.databaseOutageExitSeconds} s (${outage.problem}); exiting so the supervisor restarts the bot`),
    ),
    lock.lost.then((reason) => urgent(`${reason}; exiting so the supervisor restarts the bot (another instance resumes the fan-out)`)),
  ]).then((loss) => {
    storeGone = loss.storeGone;
    return loss;
  });
  return {
    store,
    location,
    fanoutLock: lock,
    instanceLock: null,
    storeProblem: () => null,
    coordinate: (input) => {
      restored = input.onRestored ?? (() => undefined);
      return pgBossCoordination(config, store, lock, input, logger);
    },
    supervision: {
      lost,
      // Asked at each readiness probe: an outage shows at once, not at the next write.
      probe: () => {
        const outage = watch.problem;
        if (outage) throw new Error(outage);
        return store.ping();
      },
      start: () => watch.start(),
      stop: () => watch.stop(),
    },
    holds: (platform) => lock.holds(platform),
    sharedRateBudget: (token, capacity, budgetLogger) =>
      new PostgresRateBudget({ connectionString: config.databaseUrl, token, capacity, windowMs: 1000, ...timeoutsOf(config.database), logger: budgetLogger }),
    peers: () => listPostgresPeers({ connectionString: config.databaseUrl, namespace: config.coordinationSchema ?? 'pgboss', ...timeoutsOf(config.database) }),
    async close() {
      // An unreachable server's pool is dropped with the process: closing it would wait for it.
      if (!storeGone) await store.close();
    },
  };
}

/** pg-boss jobs per platform, run by whichever instance holds the platform's lock. */
function pgBossCoordination(config: PostgresBackendConfig, store: PostgresStore, lock: PostgresFanoutLock, input: CoordinationInput, logger: Logger): Coordination {
  const platforms: PlatformName[] = [...(config.env.discordToken ? (['discord'] as const) : []), ...(config.env.telegramToken ? (['telegram'] as const) : [])];
  const coordinator = new FanoutCoordinator({
    connectionString: config.databaseUrl,
    ...timeoutsOf(config.database),
    ...(config.coordinationSchema ? { schema: config.coordinationSchema } : {}),
    fanout: input.fanout,
    store,
    library: input.library,
    config,
    platforms,
    lock,
    logger,
    ...(input.health ? { health: input.health } : {}),
    metrics: input.metrics ?? null,
    isStopping: () => input.deliverer.isStopping,
  });
  return {
    reposter: coordinator,
    start: () => coordinator.start(),
    platformStarted: (platform) => coordinator.platformStarted(platform),
    catchUp: (platform) => coordinator.catchUp(platform),
    stop: async () => {
      await coordinator.stop();
      await lock.close();
    },
  };
}

/**
 * The PostgreSQL database for a `digest` command. `mustExist` (read-only commands): a URL naming
 * an empty database is reported (NoDatabaseError) instead of becoming a new, empty bot database.
 */
export async function openPostgresForCli(
  config: Pick<PostgresBackendConfig, 'databaseUrl' | 'database' | 'coordinationSchema'>,
  options: { mustExist?: boolean; logger?: Logger; onLockWait?: (who: string) => void } = {},
): Promise<CliBackend> {
  if (options.mustExist && !(await postgresTablesExist(config.databaseUrl, timeoutsOf(config.database).timeouts))) {
    throw new NoDatabaseError(
      redactDatabaseUrl(config.databaseUrl),
      'has no bot tables (DATABASE_URL): the bot creates them on its first start, as does `digest subs add`; check the URL and its schema',
    );
  }
  const store = await PostgresStore.open(config.databaseUrl, postgresStoreOptionsOf(config.database));
  const lock = fanoutLockOf(config, options.logger, options.onLockWait);
  return {
    store,
    location: store.path,
    fanoutLock: lock,
    close: async () => {
      await lock.close();
      await store.close();
    },
  };
}

/** A PostgreSQL database for `digest db copy`, opened as the bot opens it. */
export function openPostgresStoreAt(url: string, database: Config['database'] | undefined): Promise<PostgresStore> {
  return PostgresStore.open(url, postgresStoreOptionsOf(database));
}

export { redactDatabaseUrl };
