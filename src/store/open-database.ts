import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.ts';
import { orphanedSidecars } from './database-file.ts';

/** How long a writer waits for another process's lock (the CLI beside the running bot). */
export const BUSY_TIMEOUT_MS = 5000;

const SQLITE_REASONS: Record<string, string> = {
  SQLITE_NOTADB: 'not a SQLite database (the file is corrupt or something else entirely)',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_CANTOPEN: 'cannot open the file (check that the path is a file and its folder is writable)',
  SQLITE_READONLY: 'the database is read-only (check file and folder permissions)',
  SQLITE_PERM: 'permission denied',
  SQLITE_BUSY: 'the database is locked by another process (timed out waiting)',
  SQLITE_LOCKED: 'the database is locked',
  SQLITE_FULL: 'the disk is full',
  SQLITE_IOERR: 'disk I/O error',
  SQLITE_NOMEM: 'out of memory',
};

const FS_REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file is in the way',
  EROFS: 'read-only file system',
  ENOSPC: 'the disk is full',
};

/**
 * A one-line, operator-facing reason for a SQLite or file-system failure. Extended SQLite codes
 * (`SQLITE_IOERR_WRITE`, `SQLITE_CORRUPT_VTAB` …) map to their primary code's wording.
 */
export function describeStorageFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string') {
    const primary = code.startsWith('SQLITE_') ? code.split('_').slice(0, 2).join('_') : code;
    const reason = SQLITE_REASONS[primary] ?? FS_REASONS[primary];
    if (reason) return reason;
  }
  return message;
}

/** Runs `fn`, turning any failure into a StoreError for `file` that says what was being done. */
export function guardStorage<T>(file: string, doing: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError(file, `${doing}: ${describeStorageFailure(error)}`, { cause: error });
  }
}

function ensureParentDirectory(file: string): void {
  const dir = path.dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new StoreError(file, `cannot create directory ${dir}: ${describeStorageFailure(error)}`, { cause: error });
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch {
    // Missing is fine: SQLite creates it.
  }
  if (isDirectory) throw new StoreError(file, 'the path is a directory, not a database file');
  const orphans = orphanedSidecars(file);
  if (orphans.length > 0) {
    throw new StoreError(
      file,
      `the database file is missing but ${orphans.map((o) => path.basename(o)).join(' and ')} ${orphans.length === 1 ? 'is' : 'are'} still there: ` +
        'it was probably deleted while the bot was running (the bot saves a copy as <database>.rescued-<time> when it notices). ' +
        'Restore that copy or a backup to this path; to really start empty, delete the -wal and -shm files first',
    );
  }
}

/**
 * Runs `fn` again while SQLite answers SQLITE_BUSY, up to the busy timeout. Switching a fresh file
 * to WAL needs an exclusive lock, and when two processes open the same new file at once SQLite may
 * answer BUSY at once instead of calling the busy handler (it would otherwise deadlock), so the
 * busy timeout alone does not cover it. Start-up only: the short synchronous waits block nothing else.
 */
function retryWhileBusy<T>(fn: () => T): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 1; ; attempt++) {
    try {
      return fn();
    } catch (error) {
      const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY';
      if (!busy || Date.now() >= deadline) throw error;
      Atomics.wait(pause, 0, 0, Math.min(10 * attempt, 100));
    }
  }
}

/**
 * Opens (creating if needed) the SQLite file at `file`, not yet migrated (see migrateStore). WAL +
 * busy timeout let the `digest` CLI and the running bot share the file. Every failure is a
 * StoreError with a one-line reason (corrupt file, a directory in the way, unwritable folder).
 */
export function openDatabase(file: string): Database.Database {
  const inMemory = file === ':memory:';
  if (!inMemory) ensureParentDirectory(file);
  const db = guardStorage(file, 'cannot open', () => new Database(file));
  try {
    guardStorage(file, 'cannot open', () => {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // The first real read: a file that is not SQLite fails here (SQLITE_NOTADB).
      if (!inMemory) retryWhileBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('foreign_keys = ON');
      // synchronous stays FULL (the default): a commit survives a power cut, and we write little.
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StoreError(file, `the database file is corrupt (quick_check: ${String(check)})`);
    });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
