import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AnswerTimedWindow, answerSlot, openSlot } from '../../src/platforms/answer-timed-window.ts';

describe('AnswerTimedWindow', () => {
  it('has room until max slots are counted', () => {
    const window = new AnswerTimedWindow(2, 1000);
    expect(window.readyAt(0)).toBe(0);
    window.add(openSlot(0));
    expect(window.readyAt(0)).toBe(0);
    window.add(openSlot(0));
    // Both in flight: only an answer can make room.
    expect(window.readyAt(5)).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts a slot until a full window after its answer, not after its release', () => {
    const window = new AnswerTimedWindow(1, 1000);
    const slot = openSlot(0);
    window.add(slot);
    answerSlot(slot, 400);
    expect(window.readyAt(1000)).toBe(1400);
    expect(window.readyAt(1399)).toBe(1400);
    expect(window.readyAt(1400)).toBe(1400);
    expect(window.size).toBe(0);
  });

  it('waits for the answered slot that frees the first place', () => {
    const window = new AnswerTimedWindow(2, 1000);
    const [a, b] = [openSlot(0), openSlot(0)];
    window.add(a);
    window.add(b);
    answerSlot(b, 300);
    // Full: one must age out, and only b can so far.
    expect(window.readyAt(300)).toBe(1300);
    answerSlot(a, 100);
    expect(window.readyAt(300)).toBe(1100);
  });

  it('never lets more than max requests reach the platform within any window, whatever the latencies', () => {
    // A release loop against simulated requests whose arrival at the platform is anywhere
    // between release and answer: no sliding window of arrivals may hold more than max.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 60 }),
        (requests) => {
          const max = 3;
          const windowMs = 1000;
          const window = new AnswerTimedWindow(max, windowMs);
          const pending: { answerAt: number; slot: ReturnType<typeof openSlot> }[] = [];
          const arrivals: number[] = [];
          let now = 0;
          for (const [latency, where] of requests) {
            for (;;) {
              for (const p of pending.filter((x) => x.answerAt <= now && !x.slot.answered)) answerSlot(p.slot, p.answerAt);
              const ready = window.readyAt(now);
              if (ready <= now) break;
              const nextAnswer = Math.min(...pending.filter((p) => !p.slot.answered).map((p) => p.answerAt));
              now = Math.min(ready, nextAnswer);
            }
            const slot = openSlot(now);
            window.add(slot);
            pending.push({ answerAt: now + latency, slot });
            arrivals.push(now + Math.floor(latency * where));
          }
          arrivals.sort((x, y) => x - y);
          for (let i = max; i < arrivals.length; i += 1) {
            expect(arrivals[i]! - arrivals[i - max]!).toBeGreaterThanOrEqual(windowMs);
          }
        },
      ),
    );
  });
});
