import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DigestError } from '../errors.ts';
import { LockFile, type LockOwner } from './lock-file.ts';

/** The instance lock of a SQLite database file: `<database>.instance.lock`. */
export function instanceLockFile(databasePath: string): string {
  return `${databasePath}.instance.lock`;
}

/** Another bot holds the database file's instance lock. */
export class InstanceLockedError extends DigestError {
  override name = 'InstanceLockedError';

  constructor(
    readonly databasePath: string,
    readonly owner: LockOwner,
  ) {
    super(
      `another bot is running on ${databasePath} (pid ${owner.pid} on host ${owner.host}, since ${owner.since}); stop it first or use DATABASE_URL for several instances`,
    );
  }
}

export interface InstanceLockOptions {
  /** See LockFileOptions.staleMs (default 30 s). */
  staleMs?: number;
  /** How often a lock whose refresh is overdue is looked at again. */
  pollMs?: number;
}

/**
 * One bot per SQLite file: its scheduler (node-cron) and the platforms' pollers run in-process, so
 * a second `npm start` on the same file would double every scheduled fan-out and fight the first
 * over Telegram's getUpdates (409). The lock file beside the database says who runs; `digest`
 * CLI commands do not take it (they serialise their fan-outs with the per-platform fan-out locks).
 *
 * Released when the process exits, however it exits (an `exit` handler, besides `release()`); a
 * SIGKILLed bot's lock names a dead pid and is taken over at once on the same host.
 */
export class InstanceLock {
  /** Resolves if another process took the lock over (this one looked dead; see LockFileOptions.onLost). */
  readonly lost: Promise<LockOwner>;
  private readonly releaseOnExit = (): void => this.lock.release();

  private constructor(
    private readonly lock: LockFile,
    lost: Promise<LockOwner>,
  ) {
    this.lost = lost;
    process.once('exit', this.releaseOnExit);
  }

  /**
   * Takes the lock of `databasePath`, or rejects with InstanceLockedError naming the running bot.
   * Null for an in-memory database (nothing else can open it). A lock whose owner looks alive but
   * is overdue for a refresh (a pid reused after a crash, e.g. in a restarted container) is watched
   * until it is either refreshed (refused) or stale (taken over), at most `staleMs`.
   */
  static async acquire(databasePath: string, options: InstanceLockOptions = {}): Promise<InstanceLock | null> {
    if (databasePath === ':memory:') return null;
    mkdirSync(path.dirname(databasePath), { recursive: true });
    let onLost!: (owner: LockOwner) => void;
    const lost = new Promise<LockOwner>((resolve) => (onLost = resolve));
    const lock = new LockFile(instanceLockFile(databasePath), { ...(options.staleMs === undefined ? {} : { staleMs: options.staleMs }), onLost });
    // Fresh enough to be a live bot: refreshed within a refresh period, with a margin for a busy event loop.
    const freshMs = lock.refreshMs + 2000;
    for (;;) {
      const owner = lock.tryTake();
      if (owner === null) return new InstanceLock(lock, lost);
      const seen = lock.readOwner();
      // Refreshed lately (at once, or while we watched an overdue one): a live bot holds it.
      if (seen.state === 'live' && seen.ageMs <= freshMs) throw new InstanceLockedError(databasePath, seen.owner);
      if (seen.state === 'live') await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
    }
  }

  /** Gives the lock up (also done on process exit). */
  release(): void {
    process.removeListener('exit', this.releaseOnExit);
    this.lock.release();
  }
}
