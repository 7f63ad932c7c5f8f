/** How transient failures are retried: exponential backoff with full jitter, capped. */
export interface BackoffPolicy {
  /** Sends per destination before it is marked failed (config.delivery.maxAttempts). */
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

/**
 * The wait before retry number `attempt` (1 = the first retry): a uniform draw in
 * [0, min(cap, base · 2^(attempt−1))). Full jitter spreads a burst of failing destinations so
 * they do not come back at the same instant and fail together again.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
