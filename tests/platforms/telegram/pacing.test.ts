import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PACING, SendPacer } from '../../../src/platforms/telegram/send-pacer.ts';
import { TELEGRAM_LIMITS } from '../../../src/render/limits.ts';
import { startTelegramHarness } from '../../helpers/fake-telegram-harness.ts';

/** The ceilings with no places kept for replies: these tests are about bulk sends alone. */
const NO_REPLY_RESERVE = { ...DEFAULT_PACING, replyReserve: 0 };

describe('SendPacer (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /**
   * Acquires for each chat in order and records which chat got released at which fake time;
   * Telegram "answers" each at once unless `answerAfterMs` says otherwise.
   */
  function track(pacer: SendPacer, chats: string[], answerAfterMs = 0): { chat: string; at: number }[] {
    const released: { chat: string; at: number }[] = [];
    for (const chat of chats) {
      void pacer.acquire(chat).then((done) => {
        released.push({ chat, at: Date.now() });
        if (answerAfterMs === 0) done();
        else setTimeout(done, answerAfterMs);
      });
    }
    return released;
  }

  it('keeps one chat to one message per interval and lets other chats through meanwhile', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const released = track(pacer, ['1', '1', '1', '2']);
    await vi.advanceTimersByTimeAsync(40);
    // Chat 2 queued last but is not held up behind chat 1's backlog: it goes one overall gap
    // (1/30 s) later, not after chat 1's second.
    expect(released).toEqual([
      { chat: '1', at: 0 },
      { chat: '2', at: 33 },
    ]);
    await vi.advanceTimersByTimeAsync(2 * TELEGRAM_LIMITS.perChatIntervalMs);
    expect(released.map((r) => r.at)).toEqual([0, 33, 1000, 2000]);
  });

  it('holds a group to 20 messages per rolling minute', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer({ perChatIntervalMs: 0, perGroupPerMinute: TELEGRAM_LIMITS.perGroupPerMinute, broadcastPerSecond: 1000 });
    const released = track(pacer, Array.from({ length: 21 }, () => '-100'));
    await vi.advanceTimersByTimeAsync(59_999);
    expect(released).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toHaveLength(21);
    expect(released[20]!.at).toBe(60_000);
  });

  it('keeps to 30 messages a second overall, spread evenly rather than in bursts', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer(NO_REPLY_RESERVE);
    const released = track(pacer, Array.from({ length: 45 }, (_, i) => String(i + 1)));
    await vi.advanceTimersByTimeAsync(999);
    expect(released).toHaveLength(TELEGRAM_LIMITS.broadcastPerSecond);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toHaveLength(31);
    await vi.advanceTimersByTimeAsync(500);
    expect(released).toHaveLength(45);
    const times = released.map((r) => r.at);
    // One every 1/30 s (33 or 34 ms apart on a millisecond clock), never two at once …
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(33);
    // … and never more than 30 in any one second.
    for (let i = 30; i < times.length; i++) expect(times[i]! - times[i - 30]!).toBeGreaterThanOrEqual(1000);
  });

  it('times a chat\'s next message from the answer to its previous one', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    // A slow photo upload: Telegram answers 400 ms after the send started.
    const released = track(pacer, ['5', '5'], 400);
    await vi.advanceTimersByTimeAsync(1399);
    expect(released).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(released.map((r) => r.at)).toEqual([0, 1400]);
  });

  it('counts sends still waiting for an answer against the global window', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer(NO_REPLY_RESERVE);
    const released = track(pacer, Array.from({ length: 31 }, (_, i) => String(i + 1)), 500);
    await vi.advanceTimersByTimeAsync(1499);
    expect(released).toHaveLength(TELEGRAM_LIMITS.broadcastPerSecond);
    await vi.advanceTimersByTimeAsync(1);
    expect(released.at(-1)).toEqual({ chat: '31', at: 1500 });
  });

  it('withdraws sends still waiting when their signal aborts (a stop), and keeps no listener for released ones', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const stop = new AbortController();
    const listeners = { added: 0, removed: 0 };
    const add = stop.signal.addEventListener.bind(stop.signal);
    const remove = stop.signal.removeEventListener.bind(stop.signal);
    stop.signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners.added++, add(...args))) as typeof add;
    stop.signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners.removed++, remove(...args))) as typeof remove;
    const outcomes: string[] = [];
    for (const chat of ['1', '2', '3']) {
      pacer.acquire(chat, stop.signal).then(
        (done) => (outcomes.push(`${chat} sent`), done()),
        () => outcomes.push(`${chat} withdrawn`),
      );
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual(['1 sent']);
    stop.abort();
    await vi.advanceTimersByTimeAsync(1000);
    expect(outcomes).toEqual(['1 sent', '2 withdrawn', '3 withdrawn']);
    expect(listeners).toEqual({ added: 3, removed: 1 });
    await expect(pacer.acquire('4', stop.signal)).rejects.toBeDefined();
  });

  it('rests a chat for the retry_after of a 429', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    pacer.penalize('7', 5000);
    const released = track(pacer, ['7']);
    await vi.advanceTimersByTimeAsync(4999);
    expect(released).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toEqual([{ chat: '7', at: 5000 }]);
  });
});

describe('pacing against the enforcing fake', () => {
  it('sends 5 messages to one chat, and more to others, without a single 429', async () => {
    const h = await startTelegramHarness({ enforceRateLimits: true, realPacing: true, retry: { maxAttempts: 1 } });
    try {
      h.fake.addChat({ id: 1, type: 'private' });
      h.fake.addChat({ id: -100, type: 'supergroup' });
      const started = Date.now();
      const to = (chatId: number) => ({ platform: 'telegram' as const, chatId: String(chatId), threadId: null });
      await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => h.platform.sendNotice(to(1), `private ${i}`)),
        ...Array.from({ length: 5 }, (_, i) => h.platform.sendNotice(to(-100), `group ${i}`)),
      ]);
      expect(h.fake.counters.rateLimited).toBe(0);
      expect(h.fake.sent.filter((m) => m.chatId === 1).map((m) => m.text)).toEqual([0, 1, 2, 3, 4].map((i) => `private ${i}`));
      expect(h.fake.sent.filter((m) => m.chatId === -100)).toHaveLength(5);
      console.log(`[pacing] 10 messages to 2 chats in ${Date.now() - started} ms (floor: 4000 ms at 1 msg/s/chat)`);
    } finally {
      await h.close();
    }
  });
});
