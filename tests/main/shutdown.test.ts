import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { Shutdown } from '../../src/shutdown.ts';

/** A Shutdown listening on a private emitter, recording exits instead of ending the test process. */
function setup(timeoutMs: number) {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const clock = { now: 0 };
  const shutdown = Shutdown.install({ process: emitter as unknown as NodeJS.Process, exit: (code) => void exits.push(code), timeoutMs, now: () => clock.now });
  return { emitter, exits, shutdown, clock };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Shutdown', () => {
  it('the first SIGTERM aborts the signal, runs the stop hooks at once and resolves `requested`', async () => {
    const { emitter, shutdown, exits } = setup(10_000);
    const order: string[] = [];
    shutdown.onRequest(() => order.push('deliverer stopped'));
    expect(shutdown.isRequested).toBe(false);
    emitter.emit('SIGTERM');
    expect(order).toEqual(['deliverer stopped']);
    expect(shutdown.signal.aborted).toBe(true);
    await expect(shutdown.requested).resolves.toBe('SIGTERM');
    // A hook registered later (a part created after the signal) runs at once.
    shutdown.onRequest(() => order.push('late'));
    expect(order).toEqual(['deliverer stopped', 'late']);
    shutdown.finished(0);
    await wait(300);
    expect(exits).toEqual([0]);
  });

  it('exits 0 at the stop timeout whatever is still running, after its last hooks', async () => {
    // A fake clock: on a real one a loaded machine can sleep past the whole timeout between steps.
    vi.useFakeTimers();
    try {
      const { emitter, shutdown, exits, clock } = setup(10_000);
      // The shutdown's own clock moves with the fake timers.
      const advance = async (ms: number): Promise<void> => {
        clock.now += ms;
        await vi.advanceTimersByTimeAsync(ms);
      };
      const closed: string[] = [];
      shutdown.beforeForcedExit(() => closed.push('store closed'));
      emitter.emit('SIGINT');
      await advance(30);
      // The configured timeout counts from the signal, even when configured after it.
      shutdown.configure(silentLogger(), 100);
      await advance(60);
      expect(exits).toEqual([]);
      await advance(10);
      expect(closed).toEqual(['store closed']);
      expect(exits).toEqual([0]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a second signal exits at once', () => {
    const { emitter, exits, clock } = setup(10_000);
    emitter.emit('SIGTERM');
    expect(exits).toEqual([]);
    clock.now += 2000;
    emitter.emit('SIGTERM');
    expect(exits).toEqual([0]);
  });

  it('SIGHUP stops the bot like SIGTERM', async () => {
    const { emitter, shutdown, exits } = setup(10_000);
    emitter.emit('SIGHUP');
    await expect(shutdown.requested).resolves.toBe('SIGHUP');
    expect(exits).toEqual([]);
  });

  it('the same signal echoed at once (npm forwarding the Ctrl-C node also got) is one request, not a forced exit', () => {
    const { emitter, exits, clock } = setup(10_000);
    emitter.emit('SIGINT');
    clock.now += 5;
    emitter.emit('SIGINT');
    expect(exits).toEqual([]);
    // A different signal at once is a second request.
    emitter.emit('SIGTERM');
    expect(exits).toEqual([0]);
  });
});
