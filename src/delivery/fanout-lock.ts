import { DigestError } from '../errors.ts';
import { LockFile, LockStorageError, type LockOwner } from '../store/lock-file.ts';

export { LockStorageError };

/**
 * Serialises fan-outs across processes sharing one database (the bot and `digest post`), so a
 * ledger row in `sending` always means "left by a process that died", never "being sent right
 * now by another one". One lock per scope (the Deliverer uses one per platform): a ledger row
 * belongs to one platform's destination, so fan-outs to different platforms never touch the same
 * row, and one platform's outage (Telegram not answering mid-fan-out) never holds up the other's
 * delivery. Re-entrant within a process: concurrent fan-outs of one process share a scope's lock
 * (the Deliverer dedupes those itself).
 */
export interface FanoutLock {
  /** Waits for the lock of `scope` (a platform name); resolves to its release function. */
  acquire(scope: string): Promise<() => void>;
  /** Gives back what the lock holds open (a database connection); optional. */
  close?(): Promise<void>;
}

/** For an in-memory database: nothing else can see it, so nothing to serialise with. */
export const NO_LOCK: FanoutLock = { acquire: async () => () => undefined };

/**
 * A lock file beside the database (see LockFile: O_EXCL, owner's pid and host, refreshed mtime,
 * stale takeover), waited for: a fan-out of another process is let finish.
 */
export class FileFanoutLock implements FanoutLock {
  private holders = 0;
  private readonly lock: LockFile;
  private readonly options: Required<Omit<FileFanoutLockOptions, 'staleMs'>>;

  constructor(
    readonly file: string,
    options: FileFanoutLockOptions = {},
  ) {
    this.lock = new LockFile(file, options.staleMs === undefined ? {} : { staleMs: options.staleMs });
    this.options = {
      pollMs: options.pollMs ?? 250,
      timeoutMs: options.timeoutMs ?? 15 * 60_000,
      onWait: options.onWait ?? (() => undefined),
    };
  }

  async acquire(): Promise<() => void> {
    if (this.holders === 0) await this.take();
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holders === 0) this.lock.release();
    };
  }

  private async take(): Promise<void> {
    const started = Date.now();
    let told = false;
    for (;;) {
      const owner = this.lock.tryTake();
      if (owner === null) return;
      if (Date.now() - started > this.options.timeoutMs) {
        throw new DigestError(
          `another process (pid ${owner.pid} on ${owner.host}, since ${owner.since}) is delivering; gave up waiting after ${Math.round(this.options.timeoutMs / 1000)} s`,
        );
      }
      if (!told) {
        told = true;
        this.options.onWait(owner);
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.pollMs));
    }
  }
}

export interface FileFanoutLockOptions {
  pollMs?: number;
  /** A lock not refreshed for this long is taken over (the holder refreshes every staleMs / 4). */
  staleMs?: number;
  /** How long to wait for another process's fan-out before giving up. */
  timeoutMs?: number;
  /** Called once when the lock is busy, e.g. to print "waiting for the running bot". */
  onWait?: (owner: LockOwner) => void;
}

/** One FileFanoutLock per scope, each its own file `<database>.fanout-<scope>.lock`, made on first use. */
export class ScopedFileFanoutLock implements FanoutLock {
  private readonly locks = new Map<string, FileFanoutLock>();

  constructor(
    readonly databasePath: string,
    private readonly options: FileFanoutLockOptions = {},
  ) {}

  /** The lock file of one scope. */
  fileFor(scope: string): string {
    if (!/^[a-z0-9-]+$/.test(scope)) throw new DigestError(`fan-out lock scope must be [a-z0-9-], not "${scope}"`);
    return `${this.databasePath}.fanout-${scope}.lock`;
  }

  acquire(scope: string): Promise<() => void> {
    let lock = this.locks.get(scope);
    if (!lock) {
      lock = new FileFanoutLock(this.fileFor(scope), this.options);
      this.locks.set(scope, lock);
    }
    return lock.acquire();
  }
}

/** The per-platform lock files for a database path, or NO_LOCK for an in-memory database. */
export function fanoutLockFor(databasePath: string, options: FileFanoutLockOptions = {}): FanoutLock {
  return databasePath === ':memory:' ? NO_LOCK : new ScopedFileFanoutLock(databasePath, options);
}
