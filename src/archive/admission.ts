import type { LoopPressure } from './loop-pressure.ts';

/** How many archive requests run, wait, and for how long. */
export interface AdmissionLimits {
  /** Requests served at once, all clients together. */
  maxConcurrent: number;
  /** Requests served at once for one client address. */
  maxConcurrentPerClient: number;
  /** Requests waiting for a turn; one more is refused at once. */
  maxWaiting: number;
  /** How long a request waits for a turn before it is refused. */
  maxWaitMs: number;
}

/** What a request gets: a turn (call `done` when answered) or a refusal. */
export type Turn = { done: () => void } | null;

interface Waiter {
  client: string;
  grant: (turn: Turn) => void;
  timer: NodeJS.Timeout;
}

/** How often a waiting line looks again while the loop is busy (no request has finished meanwhile). */
const RECHECK_MS = 25;

/**
 * Who is served now, who waits, who is refused. A request runs when the archive and its client
 * are under their limits and the bot's event loop is not busy; otherwise it waits in line (no
 * CPU spent) for up to `maxWaitMs` and is refused after that, or at once when the line is full.
 * The wait is also what keeps a client that ignores `Retry-After` from turning refusals into a
 * flood of its own: each of its connections asks at most once per wait.
 */
export class Admission {
  readonly #limits: AdmissionLimits;
  readonly #pressure: LoopPressure;
  readonly #perClient = new Map<string, number>();
  readonly #line: Waiter[] = [];
  #active = 0;
  #recheck: NodeJS.Timeout | null = null;

  readonly #onWait: () => void;

  /** `onWait` is told of each request put in line (metrics, tests). */
  constructor(limits: AdmissionLimits, pressure: LoopPressure, onWait: () => void = () => undefined) {
    this.#limits = limits;
    this.#pressure = pressure;
    this.#onWait = onWait;
  }

  /** Requests being served now. */
  get active(): number {
    return this.#active;
  }

  /** Requests waiting for a turn. */
  get waiting(): number {
    return this.#line.length;
  }

  /** A turn for `client` at once, after a wait, or null (refused). */
  request(client: string): Promise<Turn> | Turn {
    if (this.#mayRun(client) && !this.#pressure.isBusy()) return this.#start(client);
    if (this.#line.length >= this.#limits.maxWaiting || this.#limits.maxWaitMs <= 0) return null;
    return new Promise<Turn>((grant) => {
      const waiter: Waiter = {
        client,
        grant,
        timer: setTimeout(() => {
          this.#line.splice(this.#line.indexOf(waiter), 1);
          grant(null);
        }, this.#limits.maxWaitMs),
      };
      waiter.timer.unref();
      this.#line.push(waiter);
      this.#onWait();
      this.#scheduleRecheck();
    });
  }

  #mayRun(client: string): boolean {
    return this.#active < this.#limits.maxConcurrent && (this.#perClient.get(client) ?? 0) < this.#limits.maxConcurrentPerClient;
  }

  #start(client: string): Turn {
    this.#active += 1;
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    let finished = false;
    return {
      done: () => {
        if (finished) return;
        finished = true;
        this.#active -= 1;
        const left = (this.#perClient.get(client) ?? 1) - 1;
        if (left === 0) this.#perClient.delete(client);
        else this.#perClient.set(client, left);
        this.#admitWaiting();
      },
    };
  }

  /** Gives turns to waiting requests, oldest first, skipping clients at their limit. */
  #admitWaiting(): void {
    for (let i = 0; i < this.#line.length && this.#active < this.#limits.maxConcurrent; ) {
      const waiter = this.#line[i]!;
      if (!this.#mayRun(waiter.client)) {
        i += 1;
        continue;
      }
      if (this.#pressure.isBusy()) break;
      this.#line.splice(i, 1);
      clearTimeout(waiter.timer);
      waiter.grant(this.#start(waiter.client));
    }
    this.#scheduleRecheck();
  }

  /** While some wait only because the loop is busy, nothing else would wake them: look again soon. */
  #scheduleRecheck(): void {
    if (this.#recheck !== null || this.#line.length === 0) return;
    this.#recheck = setTimeout(() => {
      this.#recheck = null;
      this.#admitWaiting();
    }, RECHECK_MS);
    this.#recheck.unref();
  }
}
