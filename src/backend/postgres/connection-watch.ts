import { silentLogger, type Logger } from '../../log.ts';

/** How the process learns that its database stayed unreachable for too long. */
export interface ConnectionOutage {
  /** One line: since when, for how long, and the last error. */
  problem: string;
}

export interface ConnectionWatchOptions {
  /** One round trip to the database (`Store.ping`); rejects when it cannot be reached. */
  ping: () => Promise<void>;
  logger?: Logger;
  /**
   * An outage longer than this resolves `lost` (the process then exits non-zero so its supervisor
   * restarts it); 0 = never (keep reconnecting).
   */
  outageLimitMs: number;
  /** How often the database is pinged; default a quarter of the limit, between 0.25 and 5 s. */
  intervalMs?: number;
  /** A ping that takes longer than this counts as failed (a server that no longer answers). */
  pingTimeoutMs?: number;
  /** Called once each time the database answers again after an outage (e.g. to run the catch-up). */
  onRestored?: (downMs: number) => void;
  now?: () => number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Watches a database server the bot reaches over the network (PostgreSQL): a failure of the
 * connection pool is never silent. It pings every `intervalMs`; at the first failure it logs once
 * at error (`store.connection_lost`) and `problem` turns non-null (the readiness probe answers 503
 * with it); the pool reconnects on its own, and the first ping that answers again logs
 * `store.connection_restored` and calls `onRestored`. An outage longer than `outageLimitMs` logs
 * at fatal and resolves `lost`, so an instance never stays up but idle.
 */
export class ConnectionWatch {
  /** Resolves once, when an outage outlasts the limit. */
  readonly lost: Promise<ConnectionOutage>;
  private resolveLost!: (outage: ConnectionOutage) => void;
  private downSince: number | null = null;
  private lastError = '';
  private timer: NodeJS.Timeout | null = null;
  private checking = false;
  private stopped = false;
  private readonly logger: Logger;
  private readonly now: () => number;
  readonly intervalMs: number;
  private readonly pingTimeoutMs: number;

  constructor(private readonly options: ConnectionWatchOptions) {
    this.logger = options.logger ?? silentLogger();
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? Math.min(5000, Math.max(250, Math.floor((options.outageLimitMs || 20_000) / 4)));
    this.pingTimeoutMs = options.pingTimeoutMs ?? Math.max(1000, Math.min(5000, this.intervalMs * 2));
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
  }

  /** Starts pinging. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  /** Why the database cannot be reached now, or null while it answers. */
  get problem(): string | null {
    if (this.downSince === null) return null;
    return `database unreachable for ${Math.round((this.now() - this.downSince) / 1000)} s: ${this.lastError}`;
  }

  /** One ping now; resolves to whether it answered. Also what the timer runs. */
  async check(): Promise<boolean> {
    if (this.checking || this.stopped) return this.downSince === null;
    this.checking = true;
    try {
      await this.pingWithin();
      if (this.downSince !== null) {
        const downMs = this.now() - this.downSince;
        this.downSince = null;
        this.logger.warn({ event: 'store.connection_restored', downMs }, `database answers again after ${Math.round(downMs / 1000)} s`);
        this.options.onRestored?.(downMs);
      }
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    } finally {
      this.checking = false;
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private failed(error: unknown): void {
    this.lastError = messageOf(error);
    if (this.downSince === null) {
      this.downSince = this.now();
      const limit = this.options.outageLimitMs > 0 ? `; exiting if it stays unreachable for ${Math.round(this.options.outageLimitMs / 1000)} s` : '';
      // Once per outage: every query fails meanwhile, and each of those says so at its own level.
      this.logger.error({ event: 'store.connection_lost', err: error }, `database unreachable; reconnecting${limit}`);
      return;
    }
    if (this.options.outageLimitMs > 0 && this.now() - this.downSince >= this.options.outageLimitMs) {
      const problem = this.problem ?? this.lastError;
      this.logger.fatal({ event: 'store.connection_gave_up', reason: problem }, 'database unreachable for too long; exiting so the supervisor restarts the bot');
      this.stop();
      this.resolveLost({ problem });
    }
  }

  private pingWithin(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    return Promise.race([this.options.ping(), timeout]).finally(() => clearTimeout(timer));
  }
}
