import { existsSync } from 'node:fs';
import type { Config } from '../../config.ts';
import { fanoutLockFor } from '../../delivery/fanout-lock.ts';
import { Scheduler } from '../../delivery/scheduler.ts';
import { NoDatabaseError, StoreError } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { unwritableProblem } from '../../store/database-file.ts';
import { DatabaseGuard, type DatabaseLoss } from '../../store/database-guard.ts';
import { InstanceLock } from '../../store/instance-lock.ts';
import type { LockOwner } from '../../store/lock-file.ts';
import { SqliteStore } from '../../store/sqlite-store.ts';
import type { Backend, BackendLoss, CliBackend, Coordination, CoordinationInput } from '../backend.ts';

/** What the SQLite backend reads of the configuration. */
export type SqliteBackendConfig = Pick<Config, 'databasePath' | 'schedule' | 'timezone'>;

/**
 * The bot on one SQLite file: one process per file (the instance lock), the file guard (a
 * database deleted or replaced under the bot stops it loudly, with its data saved beside it),
 * lock files for the fan-outs it shares with `digest post`, and the in-process Scheduler.
 */
export async function openSqliteBackend(config: SqliteBackendConfig, deps: { logger: Logger }): Promise<Backend> {
  const { logger } = deps;
  const path = config.databasePath;
  // One bot per database file (its scheduler and pollers run in-process), so a second `npm start`
  // on it is refused here, before it opens anything (none in memory: nothing else can open it).
  const instanceLock = await InstanceLock.acquire(path);
  let store: SqliteStore;
  try {
    store = await SqliteStore.open(path);
  } catch (error) {
    instanceLock?.release();
    throw error;
  }
  // Checked periodically and before every fan-out, instead of "saving" into an unlinked file
  // until the next restart.
  const guard = new DatabaseGuard(store, { logger });
  let storeGone = false;
  const lost = Promise.race([
    guard.lost.then((loss) => fileLost(loss, path)),
    ...(instanceLock ? [instanceLock.lost.then((owner) => displaced(owner, path))] : []),
  ]).then((loss) => {
    storeGone = loss.storeGone;
    return loss;
  });
  return {
    store,
    location: path,
    fanoutLock: fanoutLockFor(path),
    instanceLock,
    storeProblem: () => guard.check() ?? unwritableProblem(path),
    coordinate: (input) => schedulerCoordination(config, store, input, logger),
    supervision: {
      lost,
      probe: () => store.ping(),
      start: () => undefined,
      stop: () => guard.stop(),
    },
    async close() {
      // After a loss the connection is left open: closing would delete `<path>-wal` by name, which
      // may by now belong to a new database at that path. The process exits right after.
      if (!storeGone) await store.close();
      instanceLock?.release();
    },
  };
}

/** The database file deleted or replaced under the bot: its data saved beside it, if it could be. */
function fileLost(loss: DatabaseLoss, path: string): BackendLoss {
  const rescue = loss.rescuedTo
    ? `Its data was saved to ${loss.rescuedTo}: move it back to ${path} and start the bot again.`
    : 'Its data could not be saved; restore a backup.';
  // DatabaseGuard has logged it at fatal.
  return { reason: loss.problem, urgent: false, storeGone: true, storeProblem: loss.problem, alert: `digest bot stopped: ${loss.problem}. ${rescue}`, logged: true };
}

/** Another process took the instance lock over (this one looked dead): stopped so the schedule is not doubled. */
function displaced({ pid, host }: LockOwner, path: string): BackendLoss {
  return {
    reason: `the instance lock of ${path} was taken over by pid ${pid} on host ${host} (this process looked dead); stopped so the schedule is not doubled`,
    urgent: false,
    storeGone: false,
    storeProblem: null,
    alert: null,
    logged: false,
  };
}

/** The in-process Scheduler: the one instance runs every due time and catches up each platform once it has started. */
function schedulerCoordination(config: SqliteBackendConfig, store: SqliteStore, input: CoordinationInput, logger: Logger): Coordination {
  const scheduler = new Scheduler({ fanout: input.fanout, store, library: input.library, config, logger });
  return {
    reposter: input.fanout,
    start: async () => {
      await scheduler.start({ catchUp: false });
      logger.info({ event: 'scheduler.started', schedule: config.schedule, timezone: config.timezone }, 'scheduler running');
    },
    platformStarted: (platform) => void scheduler.catchUpWithRetry({ platform }),
    catchUp: (platform) => void scheduler.catchUpWithRetry({ platform }),
    stop: () => scheduler.stop(),
  };
}

/**
 * The SQLite file for a `digest` command. `mustExist` (read-only commands): a typo in
 * DATABASE_PATH is reported (NoDatabaseError) instead of becoming a new, empty bot database.
 */
export async function openSqliteForCli(
  config: Pick<Config, 'databasePath'>,
  options: { mustExist?: boolean; onLockWait?: (who: string) => void } = {},
): Promise<CliBackend> {
  const path = config.databasePath;
  if (options.mustExist && path !== ':memory:' && !existsSync(path) && !hasSidecarFiles(path)) {
    // With its -wal or -shm still there the file was lost, not never made: the store's own file
    // guard says so (and refuses) below, which tells the operator more than "no such file".
    throw new NoDatabaseError(path, 'no such file (DATABASE_PATH): the bot creates it on its first start, as does `digest subs add`; check the path');
  }
  const store = await SqliteStore.open(path);
  return {
    store,
    location: path,
    fanoutLock: fanoutLockFor(path, { onWait: (owner) => options.onLockWait?.(`pid ${owner.pid} on ${owner.host}`) }),
    close: () => store.close(),
  };
}

/** A SQLite file for `digest db copy`; `mustExist`: a path with no file is refused instead of created. */
export async function openSqliteStoreAt(path: string, options: { mustExist?: boolean } = {}): Promise<SqliteStore> {
  if (options.mustExist && !existsSync(path)) throw new StoreError(path, 'no database file there');
  return SqliteStore.open(path);
}

/** Whether SQLite's write-ahead log or shared-memory file of `databasePath` is there. */
function hasSidecarFiles(databasePath: string): boolean {
  return existsSync(`${databasePath}-wal`) || existsSync(`${databasePath}-shm`);
}
