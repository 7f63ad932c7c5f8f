import { AnswerTimedWindow, answerOnce, openSlot, type AnswerSlot } from '../answer-timed-window.ts';
import { LaneQueue } from '../lane-queue.ts';
import type { SendLane } from '../send-lane.ts';
import { TELEGRAM_LIMITS } from '../../render/limits.ts';
import { UNSHARED_BUDGET, type BudgetToken, type RateBudget } from '../rate-budget.ts';

/** The flood-control figures the pacer keeps under (defaults from TELEGRAM_LIMITS). */
export interface PacingLimits {
  /** Minimum gap between two messages to one chat. */
  perChatIntervalMs: number;
  /** Messages per rolling minute to one group, supergroup or channel (negative chat id). */
  perGroupPerMinute: number;
  /** Messages per rolling second across all chats. */
  broadcastPerSecond: number;
  /**
   * Messages per rolling second across all chats for sends carrying `allow_paid_broadcast`
   * (TELEGRAM_LIMITS.paidBroadcastPerSecond when absent). Sends without the flag still keep to
   * `broadcastPerSecond`, counting the paid ones too.
   */
  paidBroadcastPerSecond?: number;
  /**
   * Of `broadcastPerSecond`, how many places in the rolling second bulk sends (digests) leave
   * to replies (answers to readers), so a reply finds room at once rather than waiting for the
   * next place a fan-out frees (0 when absent). Replies may use the whole `broadcastPerSecond`.
   */
  replyReserve?: number;
}

export const DEFAULT_PACING: PacingLimits = {
  perChatIntervalMs: TELEGRAM_LIMITS.perChatIntervalMs,
  perGroupPerMinute: TELEGRAM_LIMITS.perGroupPerMinute,
  broadcastPerSecond: TELEGRAM_LIMITS.broadcastPerSecond,
  paidBroadcastPerSecond: TELEGRAM_LIMITS.paidBroadcastPerSecond,
  replyReserve: 1,
};

/** Call when Telegram has answered the send the pacer let through. */
export type SendDone = () => void;

interface Waiter {
  chat: string;
  /** Carries `allow_paid_broadcast`: may go at the paid ceiling. */
  paid: boolean;
  /** Replies wait ahead of bulk sends. */
  lane: SendLane;
  /**
   * A time before which this waiter's chat cannot send, from an earlier pump. A chat's readiness
   * only ever moves later while its waiter waits (penalties grow, an answered slot's time is
   * fixed, its group window only fills), so this skips the waiter cheaply: with paid broadcast
   * a thousand waiters may be resting on their chat's one-second interval at once.
   */
  notBefore: number;
  resolve: (done: SendDone) => void;
  reject: (error: unknown) => void;
}

const SECOND = 1000;
const MINUTE = 60_000;
/**
 * How late a release may be and still keep to the nominal schedule (catching up by releasing
 * several at once). At 30 a second a gap is longer than this, so the rule there stays "late by a
 * whole gap: start afresh"; at 1,000 a second (1 ms gaps) the event loop is often a few ms late.
 */
const CATCH_UP_MS = 20;

/**
 * Schedules messages under Telegram's flood limits: ≤ 30 a second overall (≤ 1,000 for sends
 * carrying `allow_paid_broadcast`, the paid ceiling), one at a time and ≥ 1 s apart per chat,
 * ≤ 20 a rolling minute per group. Waiting sends are released oldest first
 * among the chats that may send now, so one busy chat never holds up the others, and each chat's
 * messages keep their order.
 *
 * Every window is timed from Telegram's answers (see AnswerTimedWindow): Telegram counts a
 * message when it processes it (after a photo's upload), not when we started sending, so a slow
 * upload followed by a fast one never lands two messages closer together than allowed, and the
 * pacer can run at the full figures with no margin.
 *
 * Overall, messages are also spread evenly (one every 1/30 s) rather than let through in bursts
 * of 30: the same rate, but at any moment only the one or two latest sends are in flight, which
 * is what a crash can repeat (Telegram has no idempotency key) and what a stop has to wait for.
 *
 * Replies to readers (the `reply` lane) wait ahead of bulk sends, skip the even spacing, and may
 * use the `replyReserve` places of the free ceiling that bulk sends leave alone: a reader's
 * answer goes out at once in the middle of a fan-out, and the sum stays under the ceiling.
 */
export class SendPacer {
  private readonly queue = new LaneQueue<Waiter>();
  /** Per chat: the last message's slot (in flight until answered). */
  private readonly lastSlot = new Map<string, AnswerSlot>();
  private readonly penalties = new Map<string, number>();
  private readonly groupWindows = new Map<string, AnswerTimedWindow>();
  private readonly overall: AnswerTimedWindow;
  /** Every message too, against the paid-broadcast ceiling. */
  private readonly paidOverall: AnswerTimedWindow;
  private timer: NodeJS.Timeout | null = null;
  /** The nominal (fractional) time of the last release, for the even spacing. */
  private lastRelease = Number.NEGATIVE_INFINITY;
  private readonly gapMs: number;
  private readonly paidGapMs: number;
  /** The free ceiling as bulk sends may fill it (the reserve left to replies). */
  private readonly bulkPerSecond: number;

  /**
   * `budget`: the bot token's budget shared with the other instances sending with it (free sends
   * take a token from it besides keeping to this pacer's own windows); none by default.
   */
  constructor(
    private readonly limits: PacingLimits = DEFAULT_PACING,
    private readonly now: () => number = Date.now,
    private readonly budget: RateBudget = UNSHARED_BUDGET,
  ) {
    budget.onAvailable(() => this.pump());
    this.overall = new AnswerTimedWindow(limits.broadcastPerSecond, SECOND);
    this.gapMs = SECOND / limits.broadcastPerSecond;
    const paidPerSecond = Math.max(limits.broadcastPerSecond, limits.paidBroadcastPerSecond ?? TELEGRAM_LIMITS.paidBroadcastPerSecond);
    this.paidOverall = new AnswerTimedWindow(paidPerSecond, SECOND);
    this.paidGapMs = SECOND / paidPerSecond;
    this.bulkPerSecond = Math.max(1, limits.broadcastPerSecond - (limits.replyReserve ?? 0));
  }

  /**
   * Resolves when a message to `chatId` may be sent, with the function to call once Telegram
   * answered (success or failure). The caller must send right away. `paid`: the send carries
   * `allow_paid_broadcast`, so it may go at the paid ceiling rather than the free one. `lane`:
   * a reply to a reader goes ahead of bulk sends.
   */
  acquire(chatId: string, signal?: AbortSignal, paid = false, lane: SendLane = 'bulk'): Promise<SendDone> {
    return new Promise<SendDone>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        if (this.queue.remove(waiter)) reject(signal?.reason);
      };
      const waiter: Waiter = {
        chat: chatId,
        paid,
        lane,
        notBefore: Number.NEGATIVE_INFINITY,
        resolve: (done) => {
          // The signal may outlive many sends (a whole fan-out): drop the listener once released.
          signal?.removeEventListener('abort', onAbort);
          resolve(done);
        },
        reject,
      };
      this.queue.push(lane, waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  /**
   * Resolves once `chatId` could take a message now (its interval since the last answer, any
   * 429 rest, its group's minute), without taking a turn: a caller that must wait for something
   * else before sending (delivery's unrecorded-sends bound) waits for the chat first, so that wait
   * never adds to the chat's. Rejects with the signal's reason when it aborts first.
   */
  async whenChatReady(chatId: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const now = this.now();
      const readyAt = this.chatReadyAt(chatId, now);
      if (readyAt <= now) return;
      // An unanswered message to the chat has no ready time yet: look again shortly.
      const waitMs = Number.isFinite(readyAt) ? readyAt - now : 20;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, waitMs));
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Telegram answered 429 for `chatId`: nothing more goes there for `ms`. */
  penalize(chatId: string, ms: number): void {
    this.penalties.set(chatId, Math.max(this.penalties.get(chatId) ?? 0, this.now() + ms));
    this.pump();
  }

  /** Sends waiting for their turn (for logs and benchmarks). */
  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = this.now();

    let wakeAt = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    // Replies first, then bulk sends; within a lane oldest first.
    scan: for (const queue of this.queue.inOrder()) {
      for (let i = 0; i < queue.length; ) {
        const waiter = queue[i]!;
        if (blocked.has(waiter.chat)) {
          i += 1;
          continue;
        }
        if (waiter.notBefore > now) {
          blocked.add(waiter.chat);
          wakeAt = Math.min(wakeAt, waiter.notBefore);
          i += 1;
          continue;
        }
        // A send waits (and holds up those behind it, replies and oldest first) until its ceiling
        // has room: a free one the free ceiling, counting the paid sends too; a paid one only the
        // paid ceiling.
        const globalReady = this.globalReadyAt(waiter, now);
        if (globalReady > now) {
          wakeAt = Math.min(wakeAt, globalReady);
          break scan;
        }
        const chatReady = this.chatReadyAt(waiter.chat, now);
        if (chatReady > now) {
          // Later messages to this chat must wait behind this one.
          blocked.add(waiter.chat);
          if (Number.isFinite(chatReady)) waiter.notBefore = chatReady;
          wakeAt = Math.min(wakeAt, chatReady);
          i += 1;
          continue;
        }
        // The shared budget last, so a token is only taken for a send that goes now. None at hand:
        // it pumps again once it may have one. Paid sends are not counted there (see rate-budget.ts).
        const token = waiter.paid ? NO_TOKEN : this.budget.tryTake(this.queue.length);
        if (token === null) break scan;
        queue.splice(i, 1);
        waiter.resolve(this.release(waiter, now, token));
      }
    }
    // An infinite wake time means waiting for an answer; `done` pumps again then.
    if (this.queue.length > 0 && Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
    }
  }

  /**
   * When the overall ceilings let `waiter` go. A reply may use the whole free ceiling and is not
   * spaced; a bulk send keeps to its even spacing and leaves the reserve to replies.
   */
  private globalReadyAt(waiter: Waiter, now: number): number {
    if (waiter.lane === 'reply') return Math.max(this.overall.readyAt(now), this.paidOverall.readyAt(now));
    if (waiter.paid) return Math.max(this.paidOverall.readyAt(now), Math.floor(this.lastRelease + this.paidGapMs));
    return Math.max(this.overall.readyAt(now, this.bulkPerSecond), this.paidOverall.readyAt(now), Math.floor(this.lastRelease + this.gapMs));
  }

  private chatReadyAt(chat: string, now: number): number {
    const last = this.lastSlot.get(chat);
    if (last && !last.answered) return Number.POSITIVE_INFINITY;
    let ready = this.penalties.get(chat) ?? 0;
    if (last) ready = Math.max(ready, last.at + this.limits.perChatIntervalMs);
    const group = this.groupWindows.get(chat);
    if (group) {
      ready = Math.max(ready, group.readyAt(now));
      // A group quiet for a minute holds nothing: forget it, so the map stays as small as the traffic.
      if (group.size === 0) this.groupWindows.delete(chat);
    }
    return ready;
  }

  private release(waiter: Waiter, now: number, token: BudgetToken): SendDone {
    const { chat } = waiter;
    const slot = openSlot(now);
    // Replies are not spaced, so they leave the bulk sends' schedule as it is.
    if (waiter.lane === 'bulk') {
      // Keep to the nominal schedule when the event loop woke a little late, so lateness does not
      // add up to a lower rate under load; after a pause (late by a whole gap or more, or by
      // CATCH_UP_MS at the paid ceiling's short gaps) start afresh.
      const gapMs = waiter.paid ? this.paidGapMs : this.gapMs;
      const nominal = this.lastRelease + gapMs;
      this.lastRelease = now - nominal >= Math.max(gapMs, CATCH_UP_MS) ? now : nominal;
    }
    this.lastSlot.set(chat, slot);
    this.overall.add(slot);
    this.paidOverall.add(slot);
    if (isGroupChat(chat)) {
      let group = this.groupWindows.get(chat);
      if (!group) {
        group = new AnswerTimedWindow(this.limits.perGroupPerMinute, MINUTE);
        this.groupWindows.set(chat, group);
      }
      group.add(slot);
    }
    return answerOnce(slot, () => this.now(), () => {
      token.answered();
      this.pump();
    });
  }
}

const NO_TOKEN: BudgetToken = { answered: () => undefined };

/** Groups, supergroups and channels have negative ids; private chats positive ones. */
function isGroupChat(chat: string): boolean {
  return chat.startsWith('-');
}
