import type PgBoss from 'pg-boss';

/**
 * PostgreSQL errors a concurrent creation of the same pg-boss queue can end in, all worth another
 * try: deadlock detected, serialization failure, unique violation, relation already exists.
 */
const RACE_CODES = new Set(['40P01', '40001', '23505', '42P07']);

/** Tries of one queue's creation before its error is the start's. */
const ATTEMPTS = 8;

/**
 * Makes sure a pg-boss queue exists, however many instances create it at the same moment.
 * pg-boss 10's `createQueue` creates a partition of its job table and inserts the queue row in one
 * transaction; several instances starting together on a fresh schema (a new deployment) do that
 * concurrently, and PostgreSQL aborts all but one with "deadlock detected" before the winner has
 * committed, so the losers cannot see its queue yet. A loser waits a little (random, so they do
 * not collide again) and tries again, until the queue is there.
 */
export async function ensureQueue(
  boss: Pick<PgBoss, 'createQueue' | 'getQueue'>,
  options: PgBoss.Queue,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    if (await boss.getQueue(options.name)) return;
    try {
      await boss.createQueue(options.name, options);
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (await boss.getQueue(options.name)) return;
      if (attempt >= ATTEMPTS || typeof code !== 'string' || !RACE_CODES.has(code)) throw error;
      await sleep(50 + Math.random() * 100 * attempt);
    }
  }
}
