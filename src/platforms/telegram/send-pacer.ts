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

interface Waiter {
  chat: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const SECOND = 1000;
const MINUTE = 60_000;

/**
 * Schedules messages under Telegram's flood limits: a global rolling window (≤ 30 a second), a
 * next-free time per chat (≥ 1 s apart) and a rolling minute per group (≤ 20). Waiting sends are
 * released oldest first among the chats that may send now, so one busy chat never holds up the
 * others, and each chat's messages keep their order.
 */
export class SendPacer {
  private readonly queue: Waiter[] = [];
  private readonly nextFree = new Map<string, number>();
  private readonly groupTimes = new Map<string, number[]>();
  private readonly recent: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: PacingLimits = DEFAULT_PACING,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a message to `chatId` may be sent; the caller must send it right away. */
  acquire(chatId: string, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
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
    this.nextFree.set(chatId, Math.max(this.nextFree.get(chatId) ?? 0, this.now() + ms));
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
    while (this.recent.length > 0 && now - this.recent[0]! >= SECOND) this.recent.shift();

    let wakeAt = Number.POSITIVE_INFINITY;
    const blocked = new Set<string>();
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      if (blocked.has(waiter.chat)) {
        i += 1;
        continue;
      }
      const globalReady =
        this.recent.length < this.limits.broadcastPerSecond
          ? now
          : this.recent[this.recent.length - this.limits.broadcastPerSecond]! + SECOND;
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
      this.record(waiter.chat, now);
      waiter.resolve();
    }
    if (this.queue.length > 0 && Number.isFinite(wakeAt)) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, wakeAt - now));
    }
  }

  private chatReadyAt(chat: string, now: number): number {
    let ready = this.nextFree.get(chat) ?? 0;
    if (isGroupChat(chat)) {
      const times = (this.groupTimes.get(chat) ?? []).filter((t) => now - t < MINUTE);
      this.groupTimes.set(chat, times);
      if (times.length >= this.limits.perGroupPerMinute) {
        ready = Math.max(ready, times[times.length - this.limits.perGroupPerMinute]! + MINUTE);
      }
    }
    return ready;
  }

  private record(chat: string, now: number): void {
    this.nextFree.set(chat, now + this.limits.perChatIntervalMs);
    if (isGroupChat(chat)) this.groupTimes.set(chat, [...(this.groupTimes.get(chat) ?? []), now]);
    this.recent.push(now);
  }
}

/** Groups, supergroups and channels have negative ids; private chats positive ones. */
function isGroupChat(chat: string): boolean {
  return chat.startsWith('-');
}
