import { describe, expect, it } from 'vitest';
import { MemoryRateBudget } from '../../../src/platforms/rate-budget.ts';
import { SendPacer, type SendDone } from '../../../src/platforms/telegram/send-pacer.ts';

/**
 * Two pacers (two instances' worth) sending with one bot token take each send's turn from the
 * token's budget as well as from their own windows, so together they keep to the budget; paid
 * sends take nothing from it.
 */
describe('SendPacer with a shared rate budget', () => {
  const limits = { perChatIntervalMs: 0, perGroupPerMinute: 1_000_000, broadcastPerSecond: 1_000_000, paidBroadcastPerSecond: 1_000_000 };

  it('lets two pacers together release no more than the budget until answers free it', async () => {
    const budget = new MemoryRateBudget(3, 200);
    const pacers = [new SendPacer(limits, Date.now, budget), new SendPacer(limits, Date.now, budget)];
    const released: SendDone[] = [];
    for (const [p, pacer] of pacers.entries()) {
      for (let i = 0; i < 4; i++) void pacer.acquire(`${p}${i}`).then((done) => released.push(done));
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Unanswered, the three turns stay taken however long we wait.
    expect(released).toHaveLength(3);
    expect(pacers[0]!.waiting + pacers[1]!.waiting).toBe(5);
    released[0]!();
    await expect.poll(() => released.length, { timeout: 5000 }).toBe(4);
    // Answered as they go (a second answer of one send changes nothing), all eight get their turn.
    await expect
      .poll(
        () => {
          for (const done of released) done();
          return released.length;
        },
        { timeout: 5000 },
      )
      .toBe(8);
  });

  it('lets paid sends past an exhausted budget', async () => {
    const budget = new MemoryRateBudget(1, 60_000);
    const pacer = new SendPacer(limits, Date.now, budget);
    await pacer.acquire('1');
    const paid = await pacer.acquire('2', undefined, true);
    expect(typeof paid).toBe('function');
    const controller = new AbortController();
    const free = pacer.acquire('3', controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pacer.waiting).toBe(1);
    controller.abort(new Error('test over'));
    await expect(free).rejects.toThrow('test over');
  });
});
