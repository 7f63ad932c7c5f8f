/**
 * Spreads a pacer's bulk releases evenly over its rate instead of in bursts: at most `burstMs`
 * worth of them at once, then one every `1000 / perSecond` ms.
 *
 * Why: an answer-timed window (AnswerTimedWindow) lets `max` requests go the moment it has room,
 * and room comes back in the same bursts a second after their answers. At Discord's 50 per second
 * a fan-out then released about fifty 300 KB uploads at once, every second, and preparing them
 * held the bot's thread for 100–150 ms at a time: a reader's command that came in then waited
 * behind them. Spaced, the same sends cost the thread a few milliseconds every 20 ms. The window
 * stays the limit (a request still waits for room in it); throughput is the same, since the window
 * frees room no faster than the spacing once requests have a latency. Replies are never spaced.
 */
export class BulkSpacing {
  readonly #intervalMs: number;
  readonly #burstMs: number;
  /** When the next bulk release may go: at or before now, at once. */
  #clock = Number.NEGATIVE_INFINITY;

  constructor(perSecond: number, burstMs = 100) {
    this.#intervalMs = 1000 / perSecond;
    this.#burstMs = burstMs;
  }

  /** When the next bulk request may be released. */
  get readyAt(): number {
    return this.#clock;
  }

  /** A bulk request was released at `now`. */
  released(now: number): void {
    // Credit for an idle stretch is capped at `burstMs`: after a pause a few go at once, not a second's worth.
    this.#clock = Math.max(this.#clock, now - this.#burstMs) + this.#intervalMs;
  }
}
