import { accessSync, constants, existsSync, statSync } from 'node:fs';

/** Which file a path named when it was opened: device and inode. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity of the file at `file` now, or null when there is none. */
export function fileIdentity(file: string): FileIdentity | null {
  try {
    const s = statSync(file);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return null;
  }
}

/**
 * Why the database at `file` is no longer the file this process opened (deleted, or replaced by
 * another file), or null while it still is. A process that kept writing to a deleted file would
 * report every write as saved and lose all of it at the next start.
 */
export function databaseFileProblem(file: string, opened: FileIdentity): string | null {
  const now = fileIdentity(file);
  if (now === null) return `the database file ${file} was deleted while the bot was running`;
  if (now.dev !== opened.dev || now.ino !== opened.ino) {
    return `the database file ${file} was replaced by another file while the bot was running`;
  }
  return null;
}

/**
 * SQLite's sidecar files beside `file` that exist although `file` does not: the sign that the
 * database was deleted under a process that still has it open (or crashed with it open). Opening
 * a fresh empty database there would hide the loss, so openDatabase refuses.
 */
export function orphanedSidecars(file: string): string[] {
  if (existsSync(file)) return [];
  return [`${file}-wal`, `${file}-shm`].filter((sidecar) => existsSync(sidecar));
}

/**
 * Why the database cannot be written now (the file, its -wal or its -shm not writable for this
 * process), or null. Checked before each fan-out so an unwritable database pauses delivery with a
 * reason instead of failing part-way (or, for an unwritable -shm, crashing SQLite's shared memory).
 * Root passes every permission check, so for root this only finds a read-only file system.
 */
export function unwritableProblem(file: string): string | null {
  if (file === ':memory:') return null;
  for (const candidate of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(candidate)) continue;
    try {
      accessSync(candidate, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return `${candidate} is not writable (${code})`;
    }
  }
  return null;
}
