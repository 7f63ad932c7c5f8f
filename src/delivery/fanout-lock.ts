import { readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DigestError } from '../errors.ts';

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

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock file beside the database: created with O_EXCL, holding the owner's pid and host, its
 * mtime refreshed every few seconds. It is stale, and taken over, when its owner on this host is
 * dead (a SIGKILLed fan-out) or when nobody refreshed it for `staleMs` (an owner on another host).
 */
/**
 * The lock file could not be created (a full or read-only disk): a storage fault like a refused
 * ledger write, unlike waiting too long for another process, which only delays one platform.
 */
export class LockStorageError extends DigestError {
  override name = 'LockStorageError';
}

export class FileFanoutLock implements FanoutLock {
  private holders = 0;
  private heartbeat: NodeJS.Timeout | null = null;
  private readonly options: Required<FileFanoutLockOptions>;

  constructor(
    readonly file: string,
    options: FileFanoutLockOptions = {},
  ) {
    this.options = {
      pollMs: options.pollMs ?? 250,
      staleMs: options.staleMs ?? 30_000,
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
      if (--this.holders === 0) this.drop();
    };
  }

  private async take(): Promise<void> {
    const started = Date.now();
    let told = false;
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (;;) {
      try {
        writeFileSync(this.file, JSON.stringify(me), { flag: 'wx' });
        this.heartbeat = setInterval(() => this.touch(), Math.max(1000, Math.floor(this.options.staleMs / 4)));
        this.heartbeat.unref();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          // A full disk creates the file and then fails to write it: an empty lock left behind
          // would look like a live owner and hold every later fan-out for `staleMs`.
          this.removeQuietly();
          throw new LockStorageError(`cannot create lock file ${this.file}: ${(error as Error).message}`, { cause: error });
        }
      }
      const owner = this.readOwner();
      if (owner === 'gone') continue;
      if (owner === 'stale') {
        this.removeQuietly();
        continue;
      }
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

  /** The current owner, 'stale' when it may be taken over, 'gone' when the file vanished meanwhile. */
  private readOwner(): LockOwner | 'stale' | 'gone' {
    let text: string;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
      text = readFileSync(this.file, 'utf8');
    } catch {
      return 'gone';
    }
    let owner: LockOwner;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // A writer killed between create and write leaves an empty file: wait out staleMs for it.
      return Date.now() - mtimeMs > this.options.staleMs ? 'stale' : { pid: 0, host: '?', since: '?' };
    }
    if (owner.host === hostname() && (owner.pid === process.pid || !isAlive(owner.pid))) return 'stale';
    if (Date.now() - mtimeMs > this.options.staleMs) return 'stale';
    return owner;
  }

  private touch(): void {
    try {
      const now = new Date();
      utimesSync(this.file, now, now);
    } catch {
      // The next acquire will notice if the file is gone; nothing to do here.
    }
  }

  private removeQuietly(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // Someone else removed it first: fine.
    }
  }

  private drop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.removeQuietly();
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
