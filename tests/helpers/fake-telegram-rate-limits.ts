import { TELEGRAM_LIMITS } from '../../src/render/limits.ts';

/**
 * The fake Bot API server's flood control, from TELEGRAM_LIMITS: more than one message a second in
 * a chat, more than 20 a minute in a group, supergroup or channel (negative id), or more than 30 a
 * second overall is refused with 429 and `retry_after`. A message carrying `allow_paid_broadcast`
 * may go while fewer than 1,000 went in the last second (the paid-broadcast ceiling); one without
 * it only while fewer than 30 did, paid ones counted (they are the messages over the free 30).
 *
 * The windows slide and count a message when it is accepted (after its upload), as strict as
 * PLATFORMS.md reads: a fixed-second model would let 2 × 30 through around a boundary. By default
 * nothing is forgiven: a client that times its windows from Telegram's answers (as SendPacer
 * does) never needs slack, since each message is accepted before we read its answer. `slackMs`
 * can forgive some jitter for a client that times from its own release.
 */
export class FakeRateLimits {
  private readonly perChat = new Map<number, number[]>();
  private readonly overall: number[] = [];
  /** Accepted messages that carried `allow_paid_broadcast`. */
  paidMessages = 0;

  constructor(private readonly slackMs = 0) {}

  /** Seconds to wait before a message to `chatId` is accepted at `now`, or 0 when it may go now. */
  retryAfter(chatId: number, now: number, paid = false): number {
    const times = this.perChat.get(chatId) ?? [];
    const waits: number[] = [];
    const last = times.at(-1);
    const chatInterval = TELEGRAM_LIMITS.perChatIntervalMs - this.slackMs;
    if (last !== undefined && now - last < chatInterval) waits.push(last + chatInterval - now);
    if (chatId < 0) {
      const minute = 60_000 - this.slackMs;
      const recent = times.filter((t) => now - t < minute);
      if (recent.length >= TELEGRAM_LIMITS.perGroupPerMinute) {
        waits.push(recent[recent.length - TELEGRAM_LIMITS.perGroupPerMinute]! + minute - now);
      }
    }
    const second = 1000 - this.slackMs;
    const overall = this.overall.filter((t) => now - t < second);
    const ceiling = paid ? TELEGRAM_LIMITS.paidBroadcastPerSecond : TELEGRAM_LIMITS.broadcastPerSecond;
    if (overall.length >= ceiling) waits.push(overall[overall.length - ceiling]! + second - now);
    if (waits.length === 0) return 0;
    return Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  }

  /** Records an accepted message; `paid` ones are counted for the Stars they cost. */
  record(chatId: number, now: number, paid = false): void {
    if (paid) this.paidMessages += 1;
    const times = (this.perChat.get(chatId) ?? []).filter((t) => now - t < 60_000);
    times.push(now);
    this.perChat.set(chatId, times);
    this.overall.push(now);
    while (this.overall.length > 0 && now - this.overall[0]! >= 1000) this.overall.shift();
  }
}
