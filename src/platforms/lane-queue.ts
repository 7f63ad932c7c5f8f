import type { SendLane } from './send-lane.ts';

/**
 * A pacer's waiting requests, one first-in first-out queue per lane: every waiting `reply` comes
 * before every waiting `bulk` one, and each lane keeps its own order.
 */
export class LaneQueue<T> {
  private readonly reply: T[] = [];
  private readonly bulk: T[] = [];

  push(lane: SendLane, item: T): void {
    (lane === 'reply' ? this.reply : this.bulk).push(item);
  }

  /** Takes `item` out wherever it waits; false when it was not waiting (already let through). */
  remove(item: T): boolean {
    for (const queue of this.inOrder()) {
      const index = queue.indexOf(item);
      if (index >= 0) {
        queue.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  /** The lane of the item {@link shift} would give, or null when none waits. */
  nextLane(): SendLane | null {
    if (this.reply.length > 0) return 'reply';
    return this.bulk.length > 0 ? 'bulk' : null;
  }

  /** The first waiting item, replies first. */
  shift(): T | undefined {
    return this.reply.length > 0 ? this.reply.shift() : this.bulk.shift();
  }

  /** The lanes' own queues, replies first, for a pacer that scans past items that cannot go yet. */
  inOrder(): readonly [T[], T[]] {
    return [this.reply, this.bulk];
  }

  get length(): number {
    return this.reply.length + this.bulk.length;
  }
}
