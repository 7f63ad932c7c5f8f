import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRateBudget, type PostgresRateBudgetOptions } from '../../src/backend/postgres/postgres-rate-budget.ts';
import { createLogger } from '../../src/log.ts';
import { databaseUrlFor } from '../helpers/failover-harness.ts';
import { createSchema, dropSchema, runPostgresTests, uniqueSchema } from '../helpers/postgres.ts';
import { takeToken } from '../helpers/rate-budget-takers.ts';

// The rate budget several instances share on one PostgreSQL database (issue 19 §2). The suite
// works in a schema of its own; each test uses a bot token of its own (its own row).
const enabled = await runPostgresTests('postgres-rate-budget');
const schema = uniqueSchema('rate_budget');
const url = databaseUrlFor(schema);
const opened: PostgresRateBudget[] = [];
let tokenSeq = 0;

function instance(token: string, options: Partial<PostgresRateBudgetOptions> = {}): PostgresRateBudget {
  const budget = new PostgresRateBudget({ connectionString: url, token, capacity: 5, windowMs: 200, ...options });
  opened.push(budget);
  return budget;
}
const newToken = (): string => `${1000 + ++tokenSeq}:AAE-secret-token-${process.pid}`;

async function query<T extends pg.QueryResultRow>(text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (!enabled) return;
  await createSchema(schema);
});
afterEach(async () => {
  for (const budget of opened.splice(0)) await budget.close();
});
afterAll(async () => {
  if (enabled) await dropSchema(schema);
});

describe.runIf(enabled)('PostgresRateBudget', () => {
  it('keeps three racing instances of one token within the capacity at every moment', async () => {
    const token = newToken();
    const windowMs = 200;
    // The database must answer throughout: a budget that could not reach it grants locally (the
    // pacer's own limits hold then, and this test has no pacer), which is not what is measured here.
    const outages: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void outages.push(line) } });
    const budgets = [instance(token, { logger }), instance(token, { logger }), instance(token, { logger })];
    // Each token counted locally from its take until a window after its answer: inside the span
    // the database counts it (leased before the take, given back after the answer).
    const spans: Array<[number, number]> = [];
    const until = Date.now() + 2000;
    await Promise.all(
      budgets.map(async (budget) => {
        const sends: Promise<void>[] = [];
        while (Date.now() < until) {
          const token = await takeToken(budget, 5000, 3);
          if (!token) break;
          const takenAt = Date.now();
          // The request: a few ms in flight, answered, then counted for the window.
          sends.push(
            new Promise<void>((resolve) =>
              setTimeout(() => {
                token.answered();
                spans.push([takenAt, Date.now() + windowMs]);
                resolve();
              }, 2 + Math.random() * 10),
            ),
          );
        }
        await Promise.all(sends);
      }),
    );
    expect(outages, 'the database did not answer the budget').toEqual([]);
    const events = spans.flatMap(([from, to]) => [[from, 1] as const, [to, -1] as const]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let counted = 0;
    let most = 0;
    for (const [, step] of events) most = Math.max(most, (counted += step));
    expect(most).toBeLessThanOrEqual(5);
    // And the budget was used: more than one window's worth went through.
    expect(spans.length).toBeGreaterThan(10);
  });

  it('stores a hash of the token, never the token', async () => {
    const token = newToken();
    expect(await takeToken(instance(token), 10_000)).not.toBeNull();
    const rows = await query<{ text: string }>('SELECT row_to_json(r)::text AS text FROM rate_budget_seats r');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.text).not.toContain(token);
      expect(row.text).not.toContain(token.split(':')[1]);
    }
  });

  it('keeps the budgets of two tokens apart', async () => {
    const a = instance(newToken());
    const b = instance(newToken());
    for (let i = 0; i < 5; i++) expect(await takeToken(a, 10_000)).not.toBeNull();
    for (let i = 0; i < 5; i++) expect(await takeToken(b, 10_000)).not.toBeNull();
  });

  it('gives back tokens leased ahead and left unused, for the other instances', async () => {
    const token = newToken();
    const a = instance(token, { holdMs: 100 });
    const b = instance(token);
    // A asks for five (its queue) but sends one: four go back once nothing asks for them.
    expect(await takeToken(a, 10_000, 5)).not.toBeNull();
    const others = [];
    for (let i = 0; i < 4; i++) others.push(await takeToken(b, 10_000));
    expect(others.every((t) => t !== null)).toBe(true);
  });

  it('frees the seats of an instance that died with requests in flight once their lease ends', async () => {
    const token = newToken();
    const dead = instance(token, { leaseMs: 500 });
    for (let i = 0; i < 5; i++) expect(await takeToken(dead, 10_000)).not.toBeNull();
    const alive = instance(token);
    // In flight, never answered: counted for the lease, then free.
    expect(await takeToken(alive, 10_000)).not.toBeNull();
  });

  it('grants locally and says so once when the database cannot be reached', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const budget = new PostgresRateBudget({
      connectionString: 'postgres://postgres@127.0.0.1:1/test',
      token: newToken(),
      capacity: 5,
      windowMs: 200,
      logger: createLogger({ level: 'info', destination: sink }),
    });
    opened.push(budget);
    expect(await takeToken(budget, 10_000)).not.toBeNull();
    expect(budget.tryTake()).not.toBeNull();
    expect(lines.filter((l) => l.event === 'rate_budget.unavailable')).toHaveLength(1);
  });
});
