import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Tells whether the bot's event loop has been busy lately. */
export interface LoopPressure {
  /** True while the share of the last window the loop spent working is over the limit. */
  isBusy(): boolean;
}

/** How long one measured window lasts: long enough to mean something, short enough to follow a fan-out. */
const WINDOW_MS = 100;

/**
 * The event loop's utilization (time spent running callbacks rather than waiting for I/O) over the
 * last complete window, measured lazily when asked: no timer of its own. The archive asks it
 * before serving, so readers get the loop only while the bot's own work leaves it mostly idle.
 * Time the process waits for a CPU counts as busy, so a machine short of CPU holds readers back too.
 */
export function eventLoopPressure(maxShare: number, now: () => number = () => performance.now()): LoopPressure {
  let windowStart = now();
  let snapshot: EventLoopUtilization = performance.eventLoopUtilization();
  let share = 0;
  return {
    isBusy() {
      const t = now();
      if (t - windowStart >= WINDOW_MS) {
        const current = performance.eventLoopUtilization();
        share = performance.eventLoopUtilization(current, snapshot).utilization;
        snapshot = current;
        windowStart = t;
      }
      return share > maxShare;
    },
  };
}

/** For maxShare 1 (never busy) and tests. */
export const NEVER_BUSY: LoopPressure = { isBusy: () => false };
