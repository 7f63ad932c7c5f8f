import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresRateBudget } from '../../src/delivery/postgres-rate-budget.ts';
import { MemoryRateBudget, type RateBudget } from '../../src/platforms/rate-budget.ts';
import { databaseUrlFor } from '../helpers/failover-harness.ts';
import { createSchema, dropSchema, runPostgresTests, uniqueSchema } from '../helpers/postgres.ts';
import { takeToken } from '../helpers/rate-budget-takers.ts';

/**
 * One contract for every RateBudget (STYLE: one contract, several backends): at most `capacity`
 * tokens counted at once, each from its take until a window after its answer.
 */
const postgres = await runPostgresTests('rate-budget-contract');
const schema = uniqueSchema('rate_budget_contract');
const CAPACITY = 3;
const WINDOW_MS = 300;
let tokenSeq = 0;
const opened: RateBudget[] = [];

beforeAll(async () => {
  if (!postgres) return;
  await createSchema(schema);
});
afterEach(async () => {
  for (const budget of opened.splice(0)) await budget.close();
});
afterAll(async () => {
  if (postgres) await dropSchema(schema);
});

const backends: Array<{ name: string; enabled: boolean; open: () => RateBudget }> = [
  { name: 'MemoryRateBudget', enabled: true, open: () => new MemoryRateBudget(CAPACITY, WINDOW_MS) },
  {
    name: 'PostgresRateBudget',
    enabled: postgres,
    // A token of its own per test: its own row.
    open: () => new PostgresRateBudget({ connectionString: databaseUrlFor(schema), token: `contract-${process.pid}-${++tokenSeq}`, capacity: CAPACITY, windowMs: WINDOW_MS }),
  },
];

describe.each(backends)('$name', ({ enabled, open }) => {
  const budget = (): RateBudget => {
    const b = open();
    opened.push(b);
    return b;
  };

  it.runIf(enabled)('grants no more than its capacity while the tokens are unanswered', async () => {
    const b = budget();
    const tokens = [];
    for (let i = 0; i < CAPACITY; i++) tokens.push(await takeToken(b, 10_000));
    expect(tokens.every((t) => t !== null)).toBe(true);
    // Unanswered tokens never free their seats: nothing comes, however long we wait.
    expect(await takeToken(b, 3 * WINDOW_MS)).toBeNull();
  });

  it.runIf(enabled)('frees a seat a window after its token was answered, and says so', async () => {
    const b = budget();
    const tokens = [];
    for (let i = 0; i < CAPACITY; i++) tokens.push((await takeToken(b, 10_000))!);
    const answeredAt = Date.now();
    tokens[0]!.answered();
    tokens[0]!.answered(); // idempotent: one seat freed, not two
    const next = await takeToken(b, 10_000);
    expect(next).not.toBeNull();
    // A lower bound only (a loaded machine makes it later, never sooner).
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(WINDOW_MS - 5);
    expect(await takeToken(b, 3 * WINDOW_MS)).toBeNull();
  });

  it.runIf(enabled)('grants anything once closed (a stopping process is not held up)', async () => {
    const b = budget();
    for (let i = 0; i < CAPACITY; i++) await takeToken(b, 10_000);
    await b.close();
    expect(b.tryTake()).not.toBeNull();
  });
});
