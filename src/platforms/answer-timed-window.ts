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

  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  /** Counts `slot` (usually just opened) against this window. */
  add(slot: AnswerSlot): void {
    this.slots.push(slot);
  }

  /**
   * When one more request fits at `now`: `now` when there is room; else when enough answered
   * slots age out; else +Infinity (only an answer can make room, so wait for one).
   */
  readyAt(now: number): number {
    this.prune(now);
    if (this.slots.length < this.max) return now;
    const answered = this.slots.filter((s) => s.answered).map((s) => s.at).sort((a, b) => a - b);
    const at = answered[this.slots.length - this.max];
    return at === undefined ? Number.POSITIVE_INFINITY : at + this.windowMs;
  }

  /** Slots still counted (in flight, or answered within the window), as of the last readyAt. */
  get size(): number {
    return this.slots.length;
  }

  /** Drops answered slots whose window has passed. */
  private prune(now: number): void {
    for (let i = this.slots.length - 1; i >= 0; i -= 1) {
      const slot = this.slots[i]!;
      if (slot.answered && now - slot.at >= this.windowMs) this.slots.splice(i, 1);
    }
  }
}
