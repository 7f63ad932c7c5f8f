import type { PlatformName } from '../words.ts';

/** One send's place among the unrecorded ones; give it back once its outcome is in the ledger. */
export interface UnrecordedSlot {
  /** The outcome is recorded (or nothing went out): the next send may start. Idempotent. */
  release(): void;
}

/** Per platform, the sends taken so far and not given back, and the sends waiting for room. */
interface Lane {
  bound: number;
  out: number;
  waiting: Array<() => void>;
}

/**
 * How many sends of a platform may be out without their outcome in the ledger (config
 * `delivery.maxUnrecordedSends`). A send takes a slot right before its request goes to the
 * platform and gives it back once the ledger has recorded what the platform answered (or once it
 * failed without sending). So when the database stops answering mid-fan-out, at most `bound`
 * messages go out that a restart would send again: the others wait here instead of going out
 * unrecorded. Waiters get their slot first come, first served.
 */
export class UnrecordedSends {
  private readonly lanes = new Map<PlatformName, Lane>();

  /** `bound` for every platform but those `byPlatform` names (paid broadcast's Telegram). */
  constructor(
    readonly bound: number,
    private readonly byPlatform: Partial<Record<PlatformName, number>> = {},
  ) {
    for (const value of [bound, ...Object.values(byPlatform)]) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`maxUnrecordedSends must be a whole number ≥ 1, not ${value}`);
    }
  }

  /** The bound of `platform`. */
  boundOf(platform: PlatformName): number {
    return this.byPlatform[platform] ?? this.bound;
  }

  /** Sends of `platform` out and not yet recorded. */
  outstanding(platform: PlatformName): number {
    return this.lanes.get(platform)?.out ?? 0;
  }

  /** Sends of `platform` waiting for a slot. */
  waiting(platform: PlatformName): number {
    return this.lanes.get(platform)?.waiting.length ?? 0;
  }

  /**
   * Resolves with a slot once fewer than `bound` sends of `platform` are unrecorded; rejects with
   * the signal's reason if it aborts first (the bot stopping: that send never starts).
   */
  acquire(platform: PlatformName, signal?: AbortSignal): Promise<UnrecordedSlot> {
    const lane = this.lane(platform);
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (lane.out < lane.bound && lane.waiting.length === 0) return Promise.resolve(this.take(lane));
    return new Promise<UnrecordedSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const index = lane.waiting.indexOf(grant);
        if (index >= 0) lane.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.take(lane));
      };
      lane.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private lane(platform: PlatformName): Lane {
    let lane = this.lanes.get(platform);
    if (!lane) {
      lane = { bound: this.boundOf(platform), out: 0, waiting: [] };
      this.lanes.set(platform, lane);
    }
    return lane;
  }

  private take(lane: Lane): UnrecordedSlot {
    lane.out += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        lane.out -= 1;
        if (lane.out < lane.bound) lane.waiting.shift()?.();
      },
    };
  }
}
