import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PostgresFanoutLock } from '../../../src/backend/postgres/postgres-fanout-lock.ts';
import { runPostgresTests, TEST_DATABASE_URL, uniqueSchema } from '../../helpers/postgres.ts';

// The per-platform fan-out lock of several instances on one PostgreSQL database. Each test uses a
// namespace of its own (advisory locks are database-wide), so parallel runs never meet.
const enabled = await runPostgresTests('postgres-fanout-lock');
const locks: PostgresFanoutLock[] = [];

function lockIn(namespace: string): PostgresFanoutLock {
  const lock = new PostgresFanoutLock({ connectionString: TEST_DATABASE_URL, namespace, pollMs: 50, timeoutMs: 20_000 });
  locks.push(lock);
  return lock;
}

async function terminate(pid: number): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  for (const lock of locks.splice(0)) await lock.close();
});

describe.runIf(enabled)('PostgresFanoutLock', () => {
  it('excludes a second instance from a platform but not from the other platform', async () => {
    const ns = uniqueSchema('lock');
    const a = lockIn(ns);
    const b = lockIn(ns);
    const releaseA = await a.acquire('telegram');
    expect(await b.tryAcquire('telegram')).toBeNull();
    const releaseB = await b.tryAcquire('discord');
    expect(releaseB).not.toBeNull();
    expect(a.holds('telegram') && b.holds('discord')).toBe(true);
    // Re-entrant within an instance: a second fan-out of A shares the lock; it is freed with the last.
    const again = await a.acquire('telegram');
    releaseA();
    expect(await b.tryAcquire('telegram')).toBeNull();
    again();
    // The release reaches the server a moment later (release functions are synchronous).
    let taken: (() => void) | null = null;
    await vi.waitFor(async () => {
      taken = await b.tryAcquire('telegram');
      expect(taken).not.toBeNull();
    });
    expect(await a.tryAcquire('telegram')).toBeNull();
    (taken as (() => void) | null)?.();
    releaseB?.();
  });

  it('makes a waiting instance wait until the holder releases', async () => {
    const ns = uniqueSchema('lock');
    const a = lockIn(ns);
    const b = lockIn(ns);
    const releaseA = await a.acquire('telegram');
    const order: string[] = [];
    const waiting = b.acquire('telegram').then((release) => {
      order.push('b took it');
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('a releases');
    releaseA();
    (await waiting)();
    expect(order).toEqual(['a releases', 'b took it']);
  });

  it('is freed by the server when the holder connection dies, and the holder is told', async () => {
    const ns = uniqueSchema('lock');
    const a = lockIn(ns);
    const b = lockIn(ns);
    const changes: string[] = [];
    a.onChange((scope, held) => changes.push(`${scope}:${held}`));
    await a.acquire('telegram');
    const waiting = b.acquire('telegram');
    await terminate(await a.backendPid().catch(() => 0));
    const release = await waiting;
    expect(b.holds('telegram')).toBe(true);
    expect(a.holds('telegram')).toBe(false);
    expect(await a.lost).toMatch(/connection lost while sending telegram/);
    expect(changes).toEqual(['telegram:true', 'telegram:false']);
    release();
  });
});

describe.runIf(enabled)('PostgresFanoutLock when stopping', () => {
  it('stops a wait for another instance, but keeps what it holds', async () => {
    const ns = uniqueSchema('lock');
    const a = lockIn(ns);
    const b = lockIn(ns);
    const releaseA = await a.acquire('telegram');
    const releaseB = await b.acquire('discord');
    const waiting = b.acquire('telegram');
    await new Promise((resolve) => setTimeout(resolve, 200));
    b.stopWaiting();
    await expect(waiting).rejects.toThrow(/stopping/);
    expect(b.holds('discord')).toBe(true);
    expect(await a.tryAcquire('discord')).toBeNull();
    releaseA();
    releaseB();
  });
});
