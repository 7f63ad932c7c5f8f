import { Api, GrammyError } from 'grammy';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPlatforms } from '../../../src/platforms/create-platforms.ts';
import { silentLogger } from '../../../src/log.ts';
import type { Destination } from '../../../src/platforms/platform.ts';
import { DEFAULT_PACING, SendPacer } from '../../../src/platforms/telegram/send-pacer.ts';
import { throttleTransformer } from '../../../src/platforms/telegram/throttle.ts';
import { TELEGRAM_LIMITS } from '../../../src/render/limits.ts';
import { startFakeTelegram } from '../../helpers/fake-telegram.ts';
import { sampleDigest, scriptedRouter, startTelegramHarness } from '../../helpers/fake-telegram-harness.ts';

const to = (chatId: number): Destination => ({ platform: 'telegram', chatId: String(chatId), threadId: null });

/** The most messages the fake accepted within any one second. */
function busiestSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('SendPacer at the paid-broadcast ceiling (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function track(pacer: SendPacer, sends: { chat: string; paid: boolean }[]): { chat: string; at: number }[] {
    const released: { chat: string; at: number }[] = [];
    for (const { chat, paid } of sends) {
      void pacer.acquire(chat, undefined, paid).then((done) => {
        released.push({ chat, at: Date.now() });
        done();
      });
    }
    return released;
  }

  it('lets paid sends through at 1,000 a second, one a millisecond, and not one more', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const released = track(pacer, Array.from({ length: 1100 }, (_, i) => ({ chat: String(i + 1), paid: true })));
    await vi.advanceTimersByTimeAsync(999);
    expect(released).toHaveLength(TELEGRAM_LIMITS.paidBroadcastPerSecond);
    const times = released.map((r) => r.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(released).toHaveLength(TELEGRAM_LIMITS.paidBroadcastPerSecond + 1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(released).toHaveLength(1100);
    const all = released.map((r) => r.at);
    for (let i = 1000; i < all.length; i++) expect(all[i]! - all[i - 1000]!).toBeGreaterThanOrEqual(1000);
  });

  it('keeps the per-chat interval for paid sends', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer();
    const released = track(pacer, [{ chat: '1', paid: true }, { chat: '1', paid: true }, { chat: '2', paid: true }]);
    await vi.advanceTimersByTimeAsync(1500);
    expect(released).toEqual([
      { chat: '1', at: 0 },
      { chat: '2', at: 1 },
      { chat: '1', at: TELEGRAM_LIMITS.perChatIntervalMs },
    ]);
  });

  it('holds a free send until fewer than 30 went in the last second, paid ones counted', async () => {
    vi.useFakeTimers({ now: 0 });
    const pacer = new SendPacer({ ...DEFAULT_PACING, replyReserve: 0 });
    const sends = [
      ...Array.from({ length: 50 }, (_, i) => ({ chat: String(i + 1), paid: true })),
      { chat: 'free', paid: false },
      { chat: 'after', paid: true },
    ];
    const released = track(pacer, sends);
    await vi.advanceTimersByTimeAsync(2000);
    // 50 paid sends at 0..49 ms; the 21st of them (at 20 ms) leaves the window at 1,020 ms, when
    // only 29 are left in it; the paid send queued behind the free one keeps its place.
    expect(released.find((r) => r.chat === 'free')?.at).toBe(1020);
    expect(released.at(-1)?.chat).toBe('after');
  });
});

describe('throttleTransformer (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Sends `count` messages to distinct chats through the transformer; returns how many Telegram got by now. */
  function sendThrough(count: number, paid: boolean): () => number {
    const pacer = new SendPacer();
    const transform = throttleTransformer(pacer);
    let answered = 0;
    const prev = (async () => {
      answered += 1;
      return { ok: true, result: true };
    }) as unknown as Parameters<typeof transform>[0];
    for (let i = 0; i < count; i++) {
      const payload = { chat_id: 9000 + i, text: 'x', ...(paid ? { allow_paid_broadcast: true } : {}) };
      void transform(prev, 'sendMessage', payload as never, undefined);
    }
    return () => answered;
  }

  it('paces a send carrying allow_paid_broadcast at the paid ceiling, one without it at 30 a second', async () => {
    vi.useFakeTimers({ now: 0 });
    const paid = sendThrough(60, true);
    const free = sendThrough(60, false);
    await vi.advanceTimersByTimeAsync(100);
    // 60 paid sends need 60 ms at 1,000 a second; free ones go one per 1/30 s.
    expect(paid()).toBe(60);
    expect(free()).toBeLessThanOrEqual(Math.ceil((100 / 1000) * TELEGRAM_LIMITS.broadcastPerSecond) + 1);
  });
});

describe('the fake Telegram enforces the paid-broadcast ceiling', () => {
  it('accepts more than 30 a second with allow_paid_broadcast, and answers 429 with retry_after to a send without it', async () => {
    const fake = await startFakeTelegram({ enforceRateLimits: true });
    try {
      const chats = Array.from({ length: 40 }, (_, i) => 5000 + i);
      for (const id of chats) fake.addChat({ id, type: 'private' });
      fake.addChat({ id: 9999, type: 'private' });
      const api = new Api(fake.token, { apiRoot: fake.apiRoot });
      await Promise.all(chats.map((id) => api.sendMessage(id, `paid ${id}`, { allow_paid_broadcast: true })));
      expect(fake.counters.rateLimited).toBe(0);
      expect(fake.sent.every((m) => m.paidBroadcast)).toBe(true);
      const refused = await api.sendMessage(9999, 'free').then(
        () => null,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(GrammyError);
      expect((refused as GrammyError).error_code).toBe(429);
      expect((refused as GrammyError).parameters.retry_after).toBeGreaterThanOrEqual(1);
    } finally {
      await fake.close();
    }
  });
});

describe('telegram.paidBroadcast through the real adapter', () => {
  it('digests to subscribers carry allow_paid_broadcast and go with no 429; command answers do not carry it', async () => {
    const h = await startTelegramHarness({
      enforceRateLimits: true,
      realPacing: true,
      paidBroadcast: true,
      retry: { maxAttempts: 1 },
      router: scriptedRouter(() => ({ kind: 'digest', digest: sampleDigest({ imageBytes: 1024 }) })),
    });
    try {
      const chats = Array.from({ length: 60 }, (_, i) => 7000 + i);
      for (const id of chats) h.fake.addChat({ id, type: 'private' });
      const digest = sampleDigest({ imageBytes: 1024 });
      await Promise.all(chats.map((id) => h.platform.sendDigest(to(id), digest, `key-${id}`)));
      expect(h.fake.counters.rateLimited).toBe(0);
      const delivered = h.fake.sent.filter((m) => chats.includes(m.chatId));
      expect(delivered.length).toBeGreaterThanOrEqual(2 * chats.length);
      // That they go faster than 30 a second is the transformer's test above (fake clock); the
      // rate reached on this machine is a figure of bench/paid-broadcast.ts.
      expect(delivered.every((m) => m.paidBroadcast)).toBe(true);

      h.fake.addChat({ id: 42, type: 'private' });
      await h.platform.start();
      h.fake.sendText('/report', { chatId: 42 });
      const answers = await h.fake.waitFor((sent) => sent.filter((m) => m.chatId === 42).length >= 2, 10_000);
      const answer = answers.filter((m) => m.chatId === 42);
      expect(answer.length).toBeGreaterThanOrEqual(2);
      expect(answer.some((m) => m.paidBroadcast)).toBe(false);
      expect(h.fake.counters.rateLimited).toBe(0);
    } finally {
      await h.close();
    }
  });

  it('without it (the default), digests carry no flag and keep to 30 a second', async () => {
    const h = await startTelegramHarness({ enforceRateLimits: true, realPacing: true, retry: { maxAttempts: 1 } });
    try {
      const chats = Array.from({ length: 40 }, (_, i) => 8000 + i);
      for (const id of chats) h.fake.addChat({ id, type: 'private' });
      const digest = sampleDigest({ imageBytes: 1024 });
      await Promise.all(chats.map((id) => h.platform.sendDigest(to(id), digest, `key-${id}`)));
      expect(h.fake.counters.rateLimited).toBe(0);
      expect(h.fake.sent.some((m) => m.paidBroadcast)).toBe(false);
      expect(busiestSecond(h.fake.sent.map((m) => m.time))).toBeLessThanOrEqual(TELEGRAM_LIMITS.broadcastPerSecond);
    } finally {
      await h.close();
    }
  });
});

describe('telegram.paidBroadcast from the configuration', () => {
  it('createPlatforms passes the config key to the Telegram adapter (on and off)', async () => {
    const fake = await startFakeTelegram({ enforceRateLimits: false });
    try {
      fake.addChat({ id: 31, type: 'private' });
      fake.addChat({ id: 32, type: 'private' });
      const digest = sampleDigest();
      for (const [chat, paidBroadcast] of [[31, true], [32, false]] as const) {
        const platforms = createPlatforms({
          config: {
            env: { discordToken: null, discordGuildId: null, discordApiBase: null, telegramToken: fake.token, telegramApiRoot: fake.apiRoot },
            owners: { discord: [], telegram: [] },
            digest: { detailMaxChars: 90, reportUrlTemplate: null, titlePrefix: 'Twitter AI 报告', discordColor: 0, buttonsOnDelivery: false },
            telegram: { paidBroadcast },
          },
          logger: silentLogger(),
        });
        await platforms.telegram!.sendDigest(to(chat), digest, `config-${chat}`);
      }
      expect(fake.sent.filter((m) => m.chatId === 31).every((m) => m.paidBroadcast)).toBe(true);
      expect(fake.sent.filter((m) => m.chatId === 32).some((m) => m.paidBroadcast)).toBe(false);
      expect(fake.sent.filter((m) => m.chatId === 31).length).toBeGreaterThan(0);
    } finally {
      await fake.close();
    }
  });
});
