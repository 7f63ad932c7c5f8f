import { afterEach, describe, expect, it, vi } from 'vitest';
import { Admission, type AdmissionLimits, type Turn } from '../../src/archive/admission.ts';
import type { LoopPressure } from '../../src/archive/loop-pressure.ts';

const calm: LoopPressure = { isBusy: () => false };
const limits = (over: Partial<AdmissionLimits> = {}): AdmissionLimits => ({ maxConcurrent: 2, maxConcurrentPerClient: 1, maxWaiting: 1, maxWaitMs: 1000, ...over });

/** A turn already given, or what a pending request resolves to (`'waiting'` while it still waits). */
async function settle(request: Promise<Turn> | Turn): Promise<Turn | 'waiting'> {
  if (!(request instanceof Promise)) return request;
  return Promise.race([request, new Promise<'waiting'>((resolve) => setImmediate(() => resolve('waiting')))]);
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Admission', () => {
  it('gives turns up to the per-client limit, then to other clients up to the total', async () => {
    const admission = new Admission(limits({ maxWaiting: 0 }), calm);
    expect(await settle(admission.request('a'))).not.toBeNull();
    expect(await settle(admission.request('a'))).toBeNull();
    expect(await settle(admission.request('b'))).not.toBeNull();
    expect(await settle(admission.request('c'))).toBeNull();
    expect(admission.active).toBe(2);
  });

  it('a request over the limit waits in line and gets the turn a finished request leaves', async () => {
    const admission = new Admission(limits(), calm);
    const first = (await settle(admission.request('a'))) as NonNullable<Turn>;
    const second = admission.request('a');
    expect(await settle(second)).toBe('waiting');
    // The line holds one: the next is refused at once.
    expect(await settle(admission.request('a'))).toBeNull();
    first.done();
    expect(await settle(second)).not.toBeNull();
    expect(admission.waiting).toBe(0);
  });

  it('a request that waits longer than maxWaitMs is refused', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const admission = new Admission(limits(), calm);
    await settle(admission.request('a'));
    const waiting = admission.request('a');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await waiting).toBeNull();
    expect(admission.waiting).toBe(0);
  });

  it('no turns while the bot’s event loop is busy; waiting requests go in once it is not', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let busy = true;
    const admission = new Admission(limits({ maxWaiting: 4 }), { isBusy: () => busy });
    const waiting = admission.request('a');
    expect(await settle(waiting)).toBe('waiting');
    busy = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(await waiting).not.toBeNull();
    expect(admission.active).toBe(1);
  });

  it('a client at its limit does not hold back another client waiting behind it', async () => {
    const admission = new Admission(limits({ maxWaiting: 4 }), calm);
    const a1 = (await settle(admission.request('a'))) as NonNullable<Turn>;
    const a2 = admission.request('a');
    const b1 = admission.request('b');
    expect(await settle(b1)).not.toBeNull();
    expect(await settle(a2)).toBe('waiting');
    a1.done();
    expect(await settle(a2)).not.toBeNull();
  });

  it('done twice frees one turn only', async () => {
    const admission = new Admission(limits({ maxWaiting: 0, maxConcurrentPerClient: 2 }), calm);
    const turn = (await settle(admission.request('a'))) as NonNullable<Turn>;
    await settle(admission.request('a'));
    turn.done();
    turn.done();
    expect(admission.active).toBe(1);
  });
});
