import { TELEGRAM_LIMITS } from '../../render/limits.ts';

/** The flood-control figures the pacer keeps under (defaults from TELEGRAM_LIMITS). */
export interface PacingLimits {
  /** Minimum gap between two messages to one chat. */
  perChatIntervalMs: number;
  /** Messages per rolling minute to one group, supergroup or channel (negative chat id). */
  perGroupPerMinute: number;
  /** Messages per rolling second across all chats. */
  broadcastPerSecond: number;
}

export const DEFAULT_PACING: PacingLimits = {
  perChatIntervalMs: TELEGRAM_LIMITS.perChatIntervalMs,
  perGroupPerMinute: TELEGRAM_LIMITS.perGroupPerMinute,
  broadcastPerSecond: TELEGRAM_LIMITS.broadcastPerSecond,
};

/** Call when Telegram has answered the send the pacer let through. */
export type SendDone = () => void;

/**
 * One message let through. It counts from release until Telegram answered, then for the window
 * after the answer: Telegram counts a message when it processes it (after a photo's upload), not
 * when we started sending, so timing from the answer keeps network delays from ever bunching two
 * messages closer together than allowed on Telegram's side.
 */
interface Slot {
  at: number;
  answered: boolean;
}

interface Waiter {
  chat: string;
  resolve: (done: SendDone) => void;
  reject: (error: unknown) => void;
}

const SECOND = 1000;
const MINUTE = 60_000;

/**
 * Schedules messages under Telegram's flood limits: ≤ 30 a second overall, one at a time and
 * ≥ 1 s apart per chat, ≤ 20 a rolling minute per group. Waiting sends are released oldest first
 * among the chats that may send now, so one busy chat never holds up the others, and each chat's
 * messages keep their order.
 */
export class SendPacer {
  private readonly queue: Waiter[] = [];
  /** Per chat: the last message's slot (in flight until answered). */
  private readonly lastSlot = new Map<string, Slot>();
  private readonly penalties = new Map<string, number>();
  private readonly groupSlots = new Map<string, Slot[]>();
  private readonly recent: Slot[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: PacingLimits = DEFAULT_PACING,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Resolves when a message to `chatId` may be sent, with the function to call once Telegram
   * answered (success or failure). The caller must send right away.
   */
  acquire(chatId: string, signal?: AbortSignal): Promise<SendDone> {
    return new Promise<SendDone>((resolve, reject) => {
      const waiter: Waiter = { chat: chatId, resolve, reject };
      this.queue.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) {
            this.queue.splice(index, 1);
            reject(signal.reason);
          }
        },
        { once: true },
      );
      this.pump();
    });
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
    prune(this.recent, now, SECOND);

    let wakeAt = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      if (blocked.has(waiter.chat)) {
        i += 1;
        continue;
      }
      const globalReady = readyAt(this.recent, this.limits.broadcastPerSecond, SECOND, now);
      if (globalReady > now) {
        wakeAt = Math.min(wakeAt, globalReady);
        break;
      }
      const chatReady = this.chatReadyAt(waiter.chat, now);
      if (chatReady > now) {
        // Later messages to this chat must wait behind this one.
        blocked.add(waiter.chat);
        wakeAt = Math.min(wakeAt, chatReady);
        i += 1;
        continue;
      }
      this.queue.splice(i, 1);
      waiter.resolve(this.release(waiter.chat, now));
    }
    // An infinite wake time means waiting for an answer; `done` pumps again then.
    if (this.queue.length > 0 && Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
    }
  }

  private chatReadyAt(chat: string, now: number): number {
    let ready = this.penalties.get(chat) ?? 0;
    const last = this.lastSlot.get(chat);
    if (last) ready = Math.max(ready, last.answered ? last.at + this.limits.perChatIntervalMs : Number.POSITIVE_INFINITY);
    if (isGroupChat(chat)) {
      const slots = this.groupSlots.get(chat) ?? [];
      prune(slots, now, MINUTE);
      ready = Math.max(ready, readyAt(slots, this.limits.perGroupPerMinute, MINUTE, now));
    }
    return ready;
  }

  private release(chat: string, now: number): SendDone {
    const slot: Slot = { at: now, answered: false };
    this.lastSlot.set(chat, slot);
    this.recent.push(slot);
    if (isGroupChat(chat)) this.groupSlots.set(chat, [...(this.groupSlots.get(chat) ?? []), slot]);
    let called = false;
    return () => {
      if (called) return;
      called = true;
      slot.at = this.now();
      slot.answered = true;
      this.pump();
    };
  }
}

/** Drops answered slots older than the window. */
function prune(slots: Slot[], now: number, windowMs: number): void {
  for (let i = slots.length - 1; i >= 0; i -= 1) {
    const slot = slots[i]!;
    if (slot.answered && now - slot.at >= windowMs) slots.splice(i, 1);
  }
}

/**
 * When one more message fits a window of `windowMs` holding at most `max`: now when there is
 * room, else when enough answered slots age out, else never until an answer comes (Infinity).
 */
function readyAt(slots: Slot[], max: number, windowMs: number, now: number): number {
  if (slots.length < max) return now;
  const answered = slots.filter((s) => s.answered).map((s) => s.at).sort((a, b) => a - b);
  const mustExpire = slots.length - max + 1;
  const at = answered[mustExpire - 1];
  return at === undefined ? Number.POSITIVE_INFINITY : at + windowMs;
}

/** Groups, supergroups and channels have negative ids; private chats positive ones. */
function isGroupChat(chat: string): boolean {
  return chat.startsWith('-');
}
