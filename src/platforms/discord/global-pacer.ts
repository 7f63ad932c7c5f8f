import type { RESTOptions, ResponseLike } from 'discord.js';
import { AnswerTimedWindow, answerOnce, openSlot } from '../answer-timed-window.ts';
import { BulkSpacing } from '../bulk-spacing.ts';
import { LaneQueue } from '../lane-queue.ts';
import { currentSendLane, type SendLane } from '../send-lane.ts';

type MakeRequest = RESTOptions['makeRequest'];

interface Waiter {
  resolve: (done: () => void) => void;
  reject: (error: unknown) => void;
}

/**
 * Keeps a bot token under Discord's global limit (requests per second), counted the way Discord
 * can see them: from release until the answer, then for a second (see AnswerTimedWindow).
 *
 * discord.js's REST client has a global limiter too, but it counts requests in fixed one-second
 * windows from when it dispatches them; an upload that takes longer than the one after it lands
 * both in the same second on Discord's side, and the 429s that follow count towards Discord's
 * invalid-request ban. Waiting requests go out oldest first, those made while answering a reader
 * (the reply lane, see inSendLane) ahead of the others; the others spread over the second
 * (BulkSpacing) rather than all at once.
 */
export class GlobalPacer {
  private readonly window: AnswerTimedWindow;
  /** Bulk requests (a fan-out's) spread over the second, not sent in bursts of the whole limit. */
  private readonly spacing: BulkSpacing;
  private readonly queue = new LaneQueue<Waiter>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.window = new AnswerTimedWindow(perSecond, 1000);
    this.spacing = new BulkSpacing(perSecond);
  }

  /** Resolves when a request may go, with the function to call once Discord answered it. */
  acquire(signal?: AbortSignal | null, lane: SendLane = 'bulk'): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const waiter: Waiter = { resolve, reject };
      this.queue.push(lane, waiter);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.queue.remove(waiter)) reject(signal.reason);
        },
        { once: true },
      );
      this.pump();
    });
  }

  /** Requests waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Wraps a discord.js `makeRequest` so every bot-token request waits for its turn here first.
   * Requests without an Authorization header (interaction callbacks, webhook follow-ups) are not
   * bound by the global limit, so they go straight through: a reply to a slash command never
   * queues behind a fan-out.
   */
  wrap(makeRequest: MakeRequest): MakeRequest {
    return async (url, init) => {
      if (!hasAuthorization(init.headers)) return makeRequest(url, init);
      const done = await this.acquire(init.signal, currentSendLane());
      try {
        return (await makeRequest(url, init)) satisfies ResponseLike;
      } finally {
        done();
      }
    };
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();
    let ready = now;
    while (this.queue.length > 0) {
      ready = this.window.readyAt(now);
      if (ready > now) break;
      const bulk = this.queue.nextLane() === 'bulk';
      if (bulk && this.spacing.readyAt > now) {
        ready = this.spacing.readyAt;
        break;
      }
      const waiter = this.queue.shift()!;
      if (bulk) this.spacing.released(now);
      waiter.resolve(this.release(now));
    }
    // An infinite ready time means waiting for an answer; its `done` pumps again.
    if (this.queue.length > 0 && Number.isFinite(ready)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, ready - now));
    }
  }

  private release(now: number): () => void {
    const slot = openSlot(now);
    this.window.add(slot);
    return answerOnce(slot, () => this.now(), () => this.pump());
  }
}

function hasAuthorization(headers: Parameters<MakeRequest>[1]['headers']): boolean {
  if (!headers) return false;
  if (headers instanceof Headers) return headers.has('authorization');
  if (Array.isArray(headers)) return headers.some(([name]) => name?.toLowerCase() === 'authorization');
  return Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
}
