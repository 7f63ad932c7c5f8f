import type { BudgetToken, RateBudget } from '../../src/platforms/rate-budget.ts';

/**
 * A token from `budget` as a pacer gets one: tryTake, and when it says none, again each time the
 * budget says one may be at hand. Null when none came within `withinMs` (a generous bound: what a
 * test learns from a null is "not while the seats were held").
 */
export function takeToken(budget: RateBudget, withinMs: number, wanted = 1): Promise<BudgetToken | null> {
  const token = budget.tryTake(wanted);
  if (token) return Promise.resolve(token);
  return new Promise((resolve) => {
    const done = (result: BudgetToken | null): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve(result);
    };
    const timer = setTimeout(() => done(null), withinMs);
    const unsubscribe = budget.onAvailable(() => {
      const next = budget.tryTake(wanted);
      if (next) done(next);
    });
  });
}
