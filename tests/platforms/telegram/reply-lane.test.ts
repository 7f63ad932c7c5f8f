import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Destination } from '../../../src/platforms/platform.ts';
import type { SendLane } from '../../../src/platforms/send-lane.ts';
import { SendPacer } from '../../../src/platforms/telegram/send-pacer.ts';
import { TELEGRAM_LIMITS } from '../../../src/render/limits.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });

describe('SendPacer reply lane (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Acquires each send in order; records the order and fake time of release; answers at once. */
  function track(
    pacer: SendPacer,
    sends: { chat: string; lane: SendLane }[],
    released: { chat: string; at: number }[] = [],
  ): { chat: string; at: number }[] {
    for (const { chat, lane } of sends) {
      void pacer.acquire(chat, undefined, false, lane).then((done) => {
        released.push({ chat, at: Date.now() });
        done();
      });
    }
    return released;
  }

  it('lets a reply queued behind 100 digest sends go next, and the digests keep their order', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const bulk = Array.from({ length: 100 }, (_, i) => ({ chat: `-${1000 + i}`, lane: 'bulk' as const }));
    const released = track(pacer, [...bulk, { chat: 'reader', lane: 'reply' }]);
    await vi.advanceTimersByTimeAsync(10);
    // The first digest went out as it was queued; the reply goes next, at once.
    expect(released).toEqual([
      { chat: '-1000', at: 0 },
      { chat: 'reader', at: 0 },
    ]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(released.filter((r) => r.chat !== 'reader').map((r) => r.chat)).toEqual(bulk.slice(0, released.length - 1).map((b) => b.chat));
  });

  it('keeps places in the second for replies: bulk sends fill the ceiling less the reserve, replies the rest at once', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const released = track(pacer, Array.from({ length: 45 }, (_, i) => ({ chat: String(i + 1), lane: 'bulk' as const })));
    await vi.advanceTimersByTimeAsync(999);
    expect(released).toHaveLength(TELEGRAM_LIMITS.broadcastPerSecond - 1);
    // A reply now finds the reserved place free.
    track(pacer, [{ chat: 'reader', lane: 'reply' }], released);
    await vi.advanceTimersByTimeAsync(0);
    expect(released.at(-1)).toEqual({ chat: 'reader', at: 999 });
    await vi.advanceTimersByTimeAsync(2000);
    expect(released).toHaveLength(46);
    // Together they never exceed the ceiling in any one second.
    const times = released.map((r) => r.at).sort((a, b) => a - b);
    for (let i = TELEGRAM_LIMITS.broadcastPerSecond; i < times.length; i++) {
      expect(times[i]! - times[i - TELEGRAM_LIMITS.broadcastPerSecond]!).toBeGreaterThanOrEqual(1000);
    }
  });
});

describe('reply lane through the real adapter (fake Telegram enforcing flood limits)', () => {
  it('answers a /report sent during a fan-out before the digests queued ahead of it, with no 429', async () => {
    const h = await startTelegramHarness({
      enforceRateLimits: true,
      realPacing: true,
      retry: { maxAttempts: 1 },
      router: scriptedRouter(() => ({ kind: 'text', text: 'the report' })),
    });
    try {
      const reader = 42;
      h.fake.addChat({ id: reader, type: 'private' });
      const chats = Array.from({ length: 40 }, (_, i) => 6000 + i);
      for (const id of chats) h.fake.addChat({ id, type: 'private' });
      await h.platform.start();
      const digest = sampleDigest({ imageBytes: 1024 });
      // Every chat's digest is queued at the pacer at once: 40 photos, then their texts.
      const fanout = Promise.all(chats.map((id) => h.platform.sendDigest(to(id), digest, `key-${id}`)));
      await h.fake.waitFor((sent) => sent.some((m) => chats.includes(m.chatId)), 10_000);
      h.fake.sendText('/report', { chatId: reader });
      await h.fake.waitFor((sent) => sent.some((m) => m.chatId === reader), 10_000);
      const before = h.fake.sent.findIndex((m) => m.chatId === reader);
      // Behind the queue it would come after all 40 photos (at 30 a second); ahead of it, after the
      // few that went while the update travelled and was answered (a handful; more on a loaded
      // machine, where each of those steps waits its turn: half the queue is the bound that says
      // "ahead" without timing the machine).
      expect(before).toBeLessThan(chats.length / 2);
      await fanout;
      expect(h.fake.sent.filter((m) => chats.includes(m.chatId))).toHaveLength(2 * chats.length);
      expect(h.fake.counters.rateLimited).toBe(0);
    } finally {
      await h.close();
    }
  });
});
