import { AnswerTimedWindow, answerOnce, openSlot } from './answer-timed-window.ts';

/** One request's share of a rate budget, taken just before the request is sent. */
export interface BudgetToken {
  /** The platform answered the request (or it failed): its window runs from now. Idempotent. */
  answered(): void;
}

/**
 * A bot token's rate budget: at most `capacity` requests counted in any `windowMs`, each counted
 * from the moment its token is taken until `windowMs` after the platform answered (the rule of
 * AnswerTimedWindow, which needs no margin and no clock shared with the platform).
 *
 * The budget belongs to the bot token, not to the process: several instances sending with one
 * token share one budget (PostgresRateBudget), so their sum stays under the platform's limit.
 *
 * Taking is synchronous so a pacer can ask while it picks the next send (its own order, priority
 * lanes included, decides who gets the token): a budget with no token at hand says null, fetches
 * more and tells its `onAvailable` listeners when asking again may succeed.
 *
 * Telegram's paid broadcast (`allow_paid_broadcast`, up to 1,000 a second) takes no token: only
 * the instance holding the fan-out lock sends it, at a rate a shared budget could not keep up with,
 * and it keeps to the paid ceiling alone.
 */
export interface RateBudget {
  /**
   * A token now, or null when none is at hand. `wanted`: how many the caller could send now,
   * counting this one (a hint: a shared budget leases several at a time).
   */
  tryTake(wanted?: number): BudgetToken | null;
  /** Called whenever a tryTake that said null may now succeed. Returns the unsubscribe. */
  onAvailable(listener: () => void): () => void;
  /** Gives back what is held and stops fetching; tryTake then always grants (the process is stopping). */
  close(): Promise<void>;
}

/**
 * The budget of a bot token that one process alone sends with: the same rule kept in memory.
 * It is what PostgresRateBudget is measured against (one contract test suite runs both).
 */
export class MemoryRateBudget implements RateBudget {
  private readonly window: AnswerTimedWindow;
  private readonly listeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    capacity: number,
    windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new AnswerTimedWindow(capacity, windowMs);
  }

  tryTake(): BudgetToken | null {
    if (this.closed) return { answered: () => undefined };
    const now = this.now();
    const readyAt = this.window.readyAt(now);
    if (readyAt > now) {
      // An infinite ready time waits for an answer, which notifies by itself.
      if (Number.isFinite(readyAt) && this.timer === null) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.notify();
        }, Math.max(1, readyAt - now));
      }
      return null;
    }
    const slot = openSlot(now);
    this.window.add(slot);
    return { answered: answerOnce(slot, this.now, () => this.notify()) };
  }

  onAvailable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A budget that always grants: the pacer's own windows are all there is (one instance, as before). */
export const UNSHARED_BUDGET: RateBudget = {
  tryTake: () => ({ answered: () => undefined }),
  onAvailable: () => () => undefined,
  close: async () => undefined,
};
