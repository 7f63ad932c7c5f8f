import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RESTOptions, ResponseLike } from 'discord.js';
import { GlobalPacer } from '../../../src/platforms/discord/global-pacer.ts';
import { inSendLane } from '../../../src/platforms/send-lane.ts';

type MakeRequest = RESTOptions['makeRequest'];

describe('GlobalPacer (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A makeRequest that answers after `latencyMs` and records when each request went out. */
  function network(latencyMs: number): { makeRequest: MakeRequest; sentAt: number[] } {
    const sentAt: number[] = [];
    const makeRequest: MakeRequest = async () => {
      sentAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return { ok: true, status: 200 } as ResponseLike;
    };
    return { makeRequest, sentAt };
  }

  const bot = { headers: { Authorization: 'Bot x' }, method: 'POST' };

  it('spreads bulk requests over the second (a few at once, then one every 1000 / limit ms) and lets no more than the limit out until the answers age a second', async () => {
    vi.useFakeTimers({ now: 0 });
    const { makeRequest, sentAt } = network(200);
    const paced = new GlobalPacer(50).wrap(makeRequest);
    const all = Promise.all(Array.from({ length: 60 }, () => paced('http://x/channels/1/messages', bot)));
    await vi.advanceTimersByTimeAsync(1199);
    // 100 ms worth at once (5, and one more as the clock reaches now), then 20 ms apart: the 50th at 880 ms.
    expect(sentAt).toEqual([0, 0, 0, 0, 0, ...Array.from({ length: 45 }, (_, i) => 20 * i)]);
    // The window is full until the first answers (at 200 ms) are a second old.
    await vi.advanceTimersByTimeAsync(1);
    expect(sentAt.slice(50)).toEqual([1200, 1200, 1200, 1200, 1200, 1200]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sentAt.slice(56)).toEqual([1220, 1240, 1260, 1280]);
    await vi.advanceTimersByTimeAsync(300);
    await all;
  });

  it('spreads a small limit as well: one request, then the next a full interval later', async () => {
    vi.useFakeTimers({ now: 0 });
    const { makeRequest, sentAt } = network(200);
    const paced = new GlobalPacer(5).wrap(makeRequest);
    const all = Promise.all(Array.from({ length: 8 }, () => paced('http://x/channels/1/messages', bot)));
    await vi.advanceTimersByTimeAsync(1199);
    expect(sentAt).toEqual([0, 100, 300, 500, 700]);
    await vi.advanceTimersByTimeAsync(400);
    expect(sentAt.slice(5)).toEqual([1200, 1300, 1500]);
    await vi.advanceTimersByTimeAsync(200);
    await all;
  });

  it('does not hold back requests without a bot token (interaction callbacks)', async () => {
    vi.useFakeTimers({ now: 0 });
    const { makeRequest, sentAt } = network(100);
    const paced = new GlobalPacer(1).wrap(makeRequest);
    void paced('http://x/channels/1/messages', bot);
    void paced('http://x/channels/1/messages', bot);
    void paced('http://x/interactions/1/tok/callback', { method: 'POST', headers: {} });
    await vi.advanceTimersByTimeAsync(0);
    expect(sentAt).toEqual([0, 0]);
    await vi.advanceTimersByTimeAsync(1100);
    expect(sentAt).toEqual([0, 0, 1100]);
  });

  it('lets a request made while answering a reader go ahead of the queued bulk requests', async () => {
    vi.useFakeTimers({ now: 0 });
    const order: string[] = [];
    const paced = new GlobalPacer(2).wrap(async (url) => {
      order.push(String(url));
      return { ok: true, status: 200 } as ResponseLike;
    });
    const bulk = Array.from({ length: 6 }, (_, i) => paced(`http://x/channels/${i}/messages`, bot));
    // Bulk requests are spread (one every 500 ms at 2 per second): the window is full at 500 ms.
    await vi.advanceTimersByTimeAsync(600);
    expect(order).toEqual(['http://x/channels/0/messages', 'http://x/channels/1/messages']);
    const reply = inSendLane('reply', () => paced('http://x/channels/reader/messages', bot));
    await vi.advanceTimersByTimeAsync(399);
    expect(order).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    // The reply takes the first place that frees (at 1000 ms), ahead of the bulk request due since 900 ms.
    expect(order.slice(2)).toEqual(['http://x/channels/reader/messages']);
    await vi.advanceTimersByTimeAsync(3000);
    await Promise.all([...bulk, reply]);
    expect(order.slice(3)).toEqual([2, 3, 4, 5].map((i) => `http://x/channels/${i}/messages`));
  });

  it('drops a waiting request whose signal aborts, and counts a failed request as answered', async () => {
    vi.useFakeTimers({ now: 0 });
    let fail = true;
    const sentAt: number[] = [];
    const paced = new GlobalPacer(1).wrap(async () => {
      sentAt.push(Date.now());
      if (fail) {
        fail = false;
        throw new Error('socket hang up');
      }
      return { ok: true, status: 200 } as ResponseLike;
    });
    await expect(paced('http://x/a', bot)).rejects.toThrow('socket hang up');
    const controller = new AbortController();
    const aborted = paced('http://x/b', { ...bot, signal: controller.signal });
    const third = paced('http://x/c', bot);
    controller.abort(new Error('timed out'));
    await expect(aborted).rejects.toThrow('timed out');
    await vi.advanceTimersByTimeAsync(1000);
    await third;
    expect(sentAt).toEqual([0, 1000]);
  });
});
