import type { Reposter } from '../commands/types.ts';
import type { Deliverer } from '../delivery/deliverer.ts';
import type { FanoutLock } from '../delivery/fanout-lock.ts';
import type { Fanout } from '../delivery/fanout.ts';
import type { SchedulerDeps } from '../delivery/scheduler.ts';
import type { ServiceHealth } from '../service-health.ts';
import type { Store } from '../store/store.ts';
import type { PlatformName } from '../words.ts';
import type { Logger } from '../log.ts';
import type { RateBudget } from '../platforms/rate-budget.ts';

/**
 * The contract of a backend: everything that depends on which database the bot runs on. The
 * SQLite backend (src/backend/sqlite/) runs one bot per database file with an in-process
 * scheduler; the PostgreSQL one (src/backend/postgres/) runs any number of instances coordinated
 * through pg-boss. main.ts and the CLI see only this contract: the choice is made once, in
 * open-backend.ts.
 */

/**
 * Who decides when fan-outs run and which process sends them: the in-process Scheduler with
 * SQLite (one instance), pg-boss with PostgreSQL (any number of instances).
 */
export interface Coordination {
  /** What `/repost` goes through. */
  reposter: Reposter;
  /** Starts the schedule (the catch-up waits for each platform: `platformStarted`). */
  start(): Promise<void>;
  /** A platform has started on this instance: catch up on it (and, with Postgres, take its jobs). */
  platformStarted(platform: PlatformName): void;
  /** Sends what fell due while the database was unreachable, for a platform already started. */
  catchUp(platform: PlatformName): void;
  /** Stops the schedule and waits for running fan-outs (cut short by the Deliverer's stop). */
  stop(): Promise<void>;
}

/** The running parts the coordination drives. */
export interface CoordinationInput {
  fanout: Fanout;
  deliverer: Pick<Deliverer, 'isStopping'>;
  library: SchedulerDeps['library'];
  health?: ServiceHealth;
  metrics?: { fanoutActive(platform: PlatformName, active: boolean): void } | null;
  /**
   * The database answers again after an outage (PostgreSQL): write what was held, catch up on
   * what fell due meanwhile. Never called on SQLite.
   */
  onRestored?: () => void;
}

/**
 * Why the bot must stop now, whatever the backend: a SQLite file deleted under it, its instance
 * lock taken over, a PostgreSQL server unreachable for too long, a fan-out lock lost with its
 * connection. The fields say what the stop must do, so main.ts never asks which database it was.
 */
export interface BackendLoss {
  /** One line for the operator: what happened, and that the process stops. */
  reason: string;
  /**
   * Another instance may be sending this one's platforms now, or the server is gone: sending
   * stops at once, and the process exits within the stop timeout whatever still waits.
   */
  urgent: boolean;
  /**
   * The store cannot take writes any more: held outcomes go to the journal, and the store is left
   * open (closing a lost SQLite file would delete a `-wal` that may belong to a new one; closing
   * an unreachable server's pool would wait for it).
   */
  storeGone: boolean;
  /** What the store's health entry says from now on, when it is no longer usable; null keeps it. */
  storeProblem: string | null;
  /** What the owners' chats are told, or null. */
  alert: string | null;
  /** Already logged as fatal by the backend: the process exits 1 without another line. */
  logged: boolean;
}

/** How the bot learns that its database can no longer be used. */
export interface Supervision {
  /** Settles once when the bot must stop (see BackendLoss); never rejects. */
  readonly lost: Promise<BackendLoss>;
  /** The readiness probe: rejects while the database cannot be used (closed, broken, unreachable). */
  probe(): Promise<void>;
  /** Starts the watches that need the bot running (the PostgreSQL connection watch). */
  start(): void;
  /** Stops every watch. */
  stop(): void;
}

/** One live instance of the bot on the shared database, as the status page lists it. */
export interface PeerInstance {
  /** `<host>:<pid>` (see instance-tag.ts). */
  tag: string;
  /** When its oldest open connection was made (ISO 8601): about when it started. */
  connectedSince: string;
  /** The platforms whose fan-out lock it holds now: it is the one sending them. */
  sending: PlatformName[];
}

/** Everything the running bot gets from its database. */
export interface Backend {
  readonly store: Store;
  /** Where the data lives, for logs and messages (a file path, a URL without its password). */
  readonly location: string;
  /**
   * The cross-process fan-out lock the Deliverer takes per platform: lock files beside the SQLite
   * database, a PostgreSQL advisory lock per platform.
   */
  readonly fanoutLock: FanoutLock;
  /** SQLite's one-bot-per-file lock (held from the open to `close`); PostgreSQL has none. */
  readonly instanceLock: { release(): void } | null;
  /** Why a fan-out must not start now (a SQLite file deleted, replaced or unwritable), or null. */
  storeProblem(): string | null;
  /** The coordination on this database; called once, after the delivery path exists. */
  coordinate(input: CoordinationInput): Coordination;
  readonly supervision: Supervision;
  /** Whether this instance sends `platform` now (PostgreSQL: holds its fan-out lock); absent when it always does. */
  readonly holds?: (platform: PlatformName) => boolean;
  /** The live instances on the shared database (the status page); absent with one instance. */
  readonly peers?: () => Promise<readonly PeerInstance[]>;
  /**
   * A platform token's rate budget shared by every instance on this database (`capacity` sends a
   * second in all), or absent where one instance is alone with its token (SQLite). Closed by the caller.
   */
  readonly sharedRateBudget?: (token: string, capacity: number, logger: Logger) => RateBudget & { close(): Promise<void> };
  /**
   * Closes the store (unless a loss left it unusable: see BackendLoss.storeGone) and gives back
   * the locks. Call after the coordination has stopped.
   */
  close(): Promise<void>;
}

/** What a `digest` command gets from the configured database. */
export interface CliBackend {
  readonly store: Store;
  readonly location: string;
  /** The fan-out lock the running bot takes too (`digest post` waits for its fan-outs). */
  readonly fanoutLock: FanoutLock;
  /** Closes the lock's connection, if any, and the store. */
  close(): Promise<void>;
}
