/**
 * One request let through a rate window. It occupies the window from its release until the
 * platform answered, and then for `windowMs` after the answer.
 */
export interface AnswerSlot {
  at: number;
  answered: boolean;
}

/** Starts a slot released at `now` (in flight until answered). */
export function openSlot(now: number): AnswerSlot {
  return { at: now, answered: false };
}

/** The platform answered the slot's request at `now`: its window runs from here. */
export function answerSlot(slot: AnswerSlot, now: number): void {
  slot.at = now;
  slot.answered = true;
}

/**
 * The callback a pacer hands out with a slot: call it when the platform answered (or the request
 * failed). Idempotent, since both a response and an error path may call it; `then` runs after the
 * first call (pacers use it to release the next queued request).
 */
export function answerOnce(slot: AnswerSlot, now: () => number, then: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    answerSlot(slot, now());
    then();
  };
}

/**
 * "At most `max` requests per `windowMs`", kept on the platform's side whatever the network does.
 *
 * A platform counts a request when it processes it, some unknown time between our release and
 * the answer we read. Counting every request from release until `windowMs` after its answer is
 * therefore the tightest rule that is provably safe: a request released now reaches the platform
 * no earlier than now, and one answered more than `windowMs` ago was counted more than
 * `windowMs` before that. It holds for a sliding window and for fixed windows of any alignment,
 * needs no clock shared with the platform, and so needs no safety margin below `max`; the only
 * cost is the requests' latency (throughput ≈ max / (windowMs + latency)).
 */
export class AnswerTimedWindow {
  private readonly slots: AnswerSlot[] = [];
  /** add() prunes once the slots reach this many (doubling with what a prune keeps). */
  private pruneAt: number;

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {
    this.pruneAt = 2 * max + 64;
  }

  /** Counts `slot` (usually just opened) against this window. */
  add(slot: AnswerSlot): void {
    this.slots.push(slot);
    // A window that is only added to (one whose readyAt is rarely asked) must not grow without end.
    if (this.slots.length >= this.pruneAt) this.prune(slot.at);
  }

  /**
   * When one more request fits at `now`: `now` when there is room; else when enough answered
   * slots age out; else +Infinity (only an answer can make room, so wait for one). `max` below
   * the window's own keeps the rest of it free for others (a pacer's reserve for replies).
   */
  readyAt(now: number, max = this.max): number {
    // A large window with room needs no pruning to say so (1,000 slots at the paid Telegram
    // ceiling); small ones are pruned every time, so `size` tells when they are empty.
    if (this.slots.length < max && this.slots.length > 64) return now;
    this.prune(now);
    if (this.slots.length < max) return now;
    const excess = this.slots.length - max;
    let at: number | undefined;
    if (excess === 0) {
      // The usual case at the ceiling: the oldest answer frees the next place (no sort).
      for (const slot of this.slots) if (slot.answered && (at === undefined || slot.at < at)) at = slot.at;
    } else {
      at = this.slots.filter((s) => s.answered).map((s) => s.at).sort((a, b) => a - b)[excess];
    }
    return at === undefined ? Number.POSITIVE_INFINITY : at + this.windowMs;
  }

  /** Slots still counted (in flight, or answered within the window), as of the last readyAt. */
  get size(): number {
    return this.slots.length;
  }

  /** Drops answered slots whose window has passed (one pass, order kept). */
  private prune(now: number): void {
    let kept = 0;
    for (const slot of this.slots) {
      if (slot.answered && now - slot.at >= this.windowMs) continue;
      this.slots[kept++] = slot;
    }
    this.slots.length = kept;
    this.pruneAt = Math.max(2 * this.max + 64, 2 * kept);
  }
}
