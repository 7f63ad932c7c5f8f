/**
 * Spreads a pacer's bulk releases evenly over its rate instead of in bursts: at most `burstMs`
 * worth of them at once, then one every `1000 / perSecond` ms.
 *
 * Why: an answer-timed window (AnswerTimedWindow) lets `max` requests go the moment it has room,
 * and room comes back in the same bursts a second after their answers. With enough sends allowed
 * out at once (`delivery.maxUnrecordedSends` raised for a far-away API; the default of 2 keeps
 * Discord's fan-out below the window) a fan-out would release about fifty 300 KB uploads at once,
 * every second, each burst holding the bot's thread for 100–150 ms while a reader's command waits
 * behind it. Spaced, the same sends cost the thread a few milliseconds every 20 ms. The window
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
