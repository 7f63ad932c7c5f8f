import type { Logger } from './log.ts';

/** Where the signals come from and how the process ends; the real process by default (tests pass fakes). */
export interface ShutdownOptions {
  /** The stop timeout until configure() gives the configured one (a signal during start-up). */
  timeoutMs?: number;
  process?: Pick<NodeJS.Process, 'once' | 'on'>;
  exit?: (code: number) => void;
  now?: () => number;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const DEFAULT_TIMEOUT_MS = 8000;
/**
 * The same signal again this soon is the same request, not an impatient second one: under `npm
 * start` a Ctrl-C reaches node from the terminal and again forwarded by npm, and systemd signals
 * every process of the unit (npm and node) while npm forwards its own.
 */
const ECHO_WINDOW_MS = 1000;

/**
 * SIGTERM / SIGINT / SIGHUP handling, installed before anything else starts, so a stop during start-up
 * (the catch-up fan-out included) is a stop and not a kill.
 *
 * On the first signal: `signal` aborts and the `onRequest` hooks run at once (delivery stops
 * starting sends), `requested` resolves (the bot then winds down in order), and a deadline is
 * armed: if winding down is not done within the stop timeout (a platform that does not answer),
 * the `beforeForcedExit` hooks run and the process exits 0 anyway: deliveries left unfinished are
 * `sending` in the ledger with their recorded parts, resumed at the next start. A second signal
 * exits at once the same way (the same signal within a second being an echo of the first).
 */
export class Shutdown {
  private readonly controller = new AbortController();
  private readonly hooks: Array<() => void> = [];
  private readonly finalHooks: Array<() => void> = [];
  private readonly exit: (code: number) => void;
  private readonly now: () => number;
  private logger: Logger | null = null;
  private timeoutMs: number;
  private deadline: NodeJS.Timeout | null = null;
  private startedAt: number | null = null;
  private received: NodeJS.Signals | null = null;
  private resolveRequested!: (signal: NodeJS.Signals) => void;
  /** Resolves with the first signal. */
  readonly requested: Promise<NodeJS.Signals>;

  private constructor(options: ShutdownOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.exit = options.exit ?? ((code) => process.exit(code));
    this.now = options.now ?? Date.now;
    this.requested = new Promise((resolve) => (this.resolveRequested = resolve));
  }

  /** Listens for SIGTERM, SIGINT and SIGHUP from now on. */
  static install(options: ShutdownOptions = {}): Shutdown {
    const shutdown = new Shutdown(options);
    const target = options.process ?? process;
    for (const signal of SIGNALS) target.on(signal, () => shutdown.handle(signal));
    return shutdown;
  }

  /** Aborted at the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isRequested(): boolean {
    return this.received !== null;
  }

  /** Milliseconds since the first signal (0 before one). */
  elapsedMs(): number {
    return this.startedAt === null ? 0 : this.now() - this.startedAt;
  }

  /** Sets the logger and the configured stop timeout (re-arming a deadline already running). */
  configure(logger: Logger, timeoutMs: number): void {
    this.logger = logger;
    this.timeoutMs = timeoutMs;
    if (this.received !== null) {
      this.logStart();
      this.arm();
    }
  }

  /** Runs `hook` at the first signal (at once if it already came). Hooks must not block. */
  onRequest(hook: () => void): void {
    if (this.isRequested) this.runHook(hook);
    else this.hooks.push(hook);
  }

  /** Runs `hook` right before a forced exit (close the database so the WAL is tidy). */
  beforeForcedExit(hook: () => void): void {
    this.finalHooks.push(hook);
  }

  /**
   * Winding down finished: ends the process with `code` soon, even if a socket or timer of a
   * platform that never answered would keep it alive.
   */
  finished(code: number): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    setTimeout(() => this.exit(code), 200).unref();
  }

  private handle(signal: NodeJS.Signals): void {
    if (this.received !== null) {
      if (signal === this.received && this.elapsedMs() < ECHO_WINDOW_MS) return;
      this.logger?.warn({ event: 'shutdown.forced', signal, afterMs: this.elapsedMs() }, 'second signal: exiting now');
      this.forceExit();
      return;
    }
    this.received = signal;
    this.startedAt = this.now();
    this.controller.abort();
    this.resolveRequested(signal);
    this.logStart();
    this.arm();
    for (const hook of this.hooks.splice(0)) this.runHook(hook);
  }

  private logStart(): void {
    this.logger?.info({ event: 'shutdown', signal: this.received, timeoutMs: this.timeoutMs }, 'shutting down');
  }

  private arm(): void {
    if (this.deadline) clearTimeout(this.deadline);
    const left = Math.max(0, this.timeoutMs - this.elapsedMs());
    this.deadline = setTimeout(() => {
      this.logger?.warn(
        { event: 'shutdown.timeout', afterMs: this.elapsedMs(), timeoutMs: this.timeoutMs },
        'stop timeout reached: exiting; unfinished deliveries stay resumable',
      );
      this.forceExit();
    }, left);
    this.deadline.unref();
  }

  private forceExit(): void {
    for (const hook of this.finalHooks.splice(0)) this.runHook(hook);
    this.exit(0);
  }

  private runHook(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      this.logger?.error({ event: 'shutdown.hook-failed', err: error }, 'a shutdown step failed');
    }
  }
}
