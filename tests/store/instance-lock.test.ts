import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileFanoutLock } from '../../src/delivery/fanout-lock.ts';
import { InstanceLock, InstanceLockedError, instanceLockFile } from '../../src/store/instance-lock.ts';
import { LockFile } from '../../src/store/lock-file.ts';

/**
 * The lock-file mechanics under the instance lock and the fan-out locks: who holds it, when a lock
 * left behind is taken over, and that a lock is only ever removed by its owner.
 */

const dirs: string[] = [];
const held: InstanceLock[] = [];
function tempDb(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lock-file-'));
  dirs.push(dir);
  return path.join(dir, 'data', 'bot.db');
}
afterEach(() => {
  for (const lock of held.splice(0)) lock.release();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes a lock file as another process would have, refreshed `ageMs` ago. */
function plantLock(file: string, owner: { pid: number; host?: string }, ageMs: number): void {
  writeFileSync(file, JSON.stringify({ pid: owner.pid, host: owner.host ?? hostname(), since: '2026-01-01T00:00:00.000Z' }));
  const at = new Date(Date.now() - ageMs);
  utimesSync(file, at, at);
}

describe('InstanceLock', () => {
  it('is taken by the first, refused to the second with the owner named, and free again after release', async () => {
    const db = tempDb();
    const first = await InstanceLock.acquire(db);
    expect(first).not.toBeNull();
    held.push(first!);
    expect(JSON.parse(readFileSync(instanceLockFile(db), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    // A live owner on this host (here: the parent of this process) with a fresh lock.
    plantLock(instanceLockFile(db), { pid: process.ppid }, 0);
    const refused = await InstanceLock.acquire(db).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InstanceLockedError);
    expect((refused as Error).message).toBe(
      `another bot is running on ${db} (pid ${process.ppid} on host ${hostname()}, since 2026-01-01T00:00:00.000Z); stop it first or use DATABASE_URL for several instances`,
    );
    // The first no longer owns the file: its release leaves the other's lock alone.
    first!.release();
    expect(JSON.parse(readFileSync(instanceLockFile(db), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('takes over at once a lock whose pid is dead on this host', async () => {
    const db = tempDb();
    await InstanceLock.acquire(db).then((lock) => lock!.release());
    // 2^22 + 1 is above Linux's pid_max: no such process.
    plantLock(instanceLockFile(db), { pid: 4_194_305 }, 0);
    const lock = await InstanceLock.acquire(db);
    held.push(lock!);
    expect(JSON.parse(readFileSync(instanceLockFile(db), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('waits out a lock of a live pid that is not being refreshed (a reused pid), then takes it over', async () => {
    const db = tempDb();
    await InstanceLock.acquire(db).then((lock) => lock!.release());
    // staleMs 4 s: fresh means refreshed within 1 s + 2 s; this one was refreshed 3.5 s ago.
    plantLock(instanceLockFile(db), { pid: process.ppid }, 3500);
    const lock = await InstanceLock.acquire(db, { staleMs: 4000, pollMs: 100 });
    held.push(lock!);
    expect(JSON.parse(readFileSync(instanceLockFile(db), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('refuses, after watching, an overdue lock that its owner then refreshes', async () => {
    const db = tempDb();
    await InstanceLock.acquire(db).then((lock) => lock!.release());
    plantLock(instanceLockFile(db), { pid: process.ppid }, 3500);
    const refresh = setTimeout(() => utimesSync(instanceLockFile(db), new Date(), new Date()), 200);
    const refused = await InstanceLock.acquire(db, { staleMs: 4000, pollMs: 100 }).catch((error: unknown) => error);
    clearTimeout(refresh);
    expect(refused).toBeInstanceOf(InstanceLockedError);
  });

  it('reports a takeover by another process at the next refresh', async () => {
    const db = tempDb();
    const lock = (await InstanceLock.acquire(db, { staleMs: 4000 }))!;
    held.push(lock);
    plantLock(instanceLockFile(db), { pid: process.ppid }, 0);
    const owner = await lock.lost;
    expect(owner).toMatchObject({ pid: process.ppid });
  });

  it('writes its lock again at the next refresh when the file was removed by hand', async () => {
    const db = tempDb();
    const lock = (await InstanceLock.acquire(db, { staleMs: 4000 }))!;
    held.push(lock);
    rmSync(instanceLockFile(db));
    const deadline = Date.now() + 5000;
    while (!existsSync(instanceLockFile(db)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(JSON.parse(readFileSync(instanceLockFile(db), 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes no lock for an in-memory database', async () => {
    expect(await InstanceLock.acquire(':memory:')).toBeNull();
  });
});

describe('LockFile shared with the fan-out lock', () => {
  it('a fan-out lock waits for a live owner and gets the lock once it is released', async () => {
    const db = tempDb();
    mkdirSync(path.dirname(db), { recursive: true });
    const file = `${db}.fanout-telegram.lock`;
    // A lock owned by this very process counts as stale, so plant another live owner.
    plantLock(file, { pid: process.ppid }, 0);
    expect(new LockFile(file).tryTake()).toMatchObject({ pid: process.ppid });
    let waitedFor: number | null = null;
    const fanout = new FileFanoutLock(file, { pollMs: 20, onWait: (owner) => (waitedFor = owner.pid) });
    let got = false;
    const acquiring = fanout.acquire().then((release) => {
      got = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(got).toBe(false);
    expect(waitedFor).toBe(process.ppid);
    rmSync(file);
    const release = await acquiring;
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    expect(existsSync(file)).toBe(false);
  });
});
