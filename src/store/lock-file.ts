import { existsSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { DigestError } from '../errors.ts';

/** Who holds a lock file: written into it as JSON when it is taken. */
export interface LockOwner {
  pid: number;
  host: string;
  /** ISO 8601 time the lock was taken. */
  since: string;
}

/**
 * The lock file could not be created (a full or read-only disk, a missing folder): a storage
 * fault, unlike a lock held by another process.
 */
export class LockStorageError extends DigestError {
  override name = 'LockStorageError';
}

export interface LockFileOptions {
  /**
   * A lock not refreshed for this long is taken over (an owner on another host, or one whose pid
   * was reused); the holder refreshes it every staleMs / 4. Default 30 s.
   */
  staleMs?: number;
  /**
   * Called once if, at a refresh, the file names another owner (it took the lock over because
   * this process looked dead: a machine suspended for longer than staleMs). Given, the holder
   * also writes the file again when it was removed while held. Default: nothing.
   */
  onLost?: (owner: LockOwner) => void;
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

const sameOwner = (a: LockOwner, b: LockOwner): boolean => a.pid === b.pid && a.host === b.host && a.since === b.since;

/**
 * One exclusive lock file: created with O_EXCL, holding the owner's pid, host and start time, its
 * mtime refreshed every staleMs / 4 while held. It is stale, and taken over, when its owner on
 * this host is dead (a SIGKILLed process) or when nobody refreshed it for `staleMs` (an owner on
 * another host, a reused pid). The mechanics under both the fan-out locks and the bot's instance
 * lock; the waiting policy (wait, give up, refuse) is theirs.
 */
export class LockFile {
  private heartbeat: NodeJS.Timeout | null = null;
  private owner: LockOwner | null = null;
  private readonly staleMs: number;

  constructor(
    readonly file: string,
    private readonly options: LockFileOptions = {},
  ) {
    this.staleMs = options.staleMs ?? 30_000;
  }

  /** How often a holder refreshes the file's mtime. */
  get refreshMs(): number {
    return Math.max(1000, Math.floor(this.staleMs / 4));
  }

  /** Whether this process holds the lock now. */
  get held(): boolean {
    return this.owner !== null;
  }

  /**
   * Takes the lock if it is free or stale: null when taken (now held by this process), else the
   * live owner. Throws LockStorageError when the file cannot be created.
   */
  tryTake(): LockOwner | null {
    if (this.owner) return null;
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (;;) {
      try {
        writeFileSync(this.file, JSON.stringify(me), { flag: 'wx' });
        this.owner = me;
        this.heartbeat = setInterval(() => this.refresh(), this.refreshMs);
        this.heartbeat.unref();
        return null;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          // A full disk creates the file and then fails to write it: an empty lock left behind
          // would look like a live owner and hold every later taker for `staleMs`.
          this.removeQuietly();
          throw new LockStorageError(`cannot create lock file ${this.file}: ${(error as Error).message}`, { cause: error });
        }
      }
      const found = this.readOwner();
      if (found.state === 'gone') continue;
      if (found.state === 'stale') {
        this.removeQuietly();
        continue;
      }
      return found.owner;
    }
  }

  /**
   * The file's owner as it stands: `live` (with how long ago it was refreshed), `stale` when it
   * may be taken over, `gone` when there is no file.
   */
  readOwner(): { state: 'live'; owner: LockOwner; ageMs: number } | { state: 'stale' } | { state: 'gone' } {
    let text: string;
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
      text = readFileSync(this.file, 'utf8');
    } catch {
      return { state: 'gone' };
    }
    const ageMs = Date.now() - mtimeMs;
    let owner: LockOwner;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // A writer killed between create and write leaves an empty file: wait out staleMs for it.
      return ageMs > this.staleMs ? { state: 'stale' } : { state: 'live', owner: { pid: 0, host: '?', since: '?' }, ageMs };
    }
    if (owner.host === hostname() && (owner.pid === process.pid || !isAlive(owner.pid))) return { state: 'stale' };
    if (ageMs > this.staleMs) return { state: 'stale' };
    return { state: 'live', owner, ageMs };
  }

  /** Gives the lock up: the file is removed only while it still names this process. */
  release(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const me = this.owner;
    this.owner = null;
    if (!me) return;
    const current = this.readRaw();
    if (current !== null && sameOwner(current, me)) this.removeQuietly();
  }

  private refresh(): void {
    const me = this.owner;
    if (!me) return;
    if (this.options.onLost) {
      let current = this.readRaw();
      if (current === null && !existsSync(this.file)) {
        // Removed by hand (a folder cleaned up) while held: put it back, or a second process
        // could take it; if one already has, the file now names it.
        try {
          writeFileSync(this.file, JSON.stringify(me), { flag: 'wx' });
          return;
        } catch {
          current = this.readRaw();
        }
      }
      if (current !== null && !sameOwner(current, me)) {
        if (this.heartbeat) clearInterval(this.heartbeat);
        this.heartbeat = null;
        this.owner = null;
        this.options.onLost(current);
        return;
      }
    }
    try {
      const now = new Date();
      utimesSync(this.file, now, now);
    } catch {
      // Gone (removed by hand): the next taker finds no file; nothing to do here.
    }
  }

  private readRaw(): LockOwner | null {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LockOwner;
    } catch {
      return null;
    }
  }

  private removeQuietly(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // Someone else removed it first: fine.
    }
  }
}
