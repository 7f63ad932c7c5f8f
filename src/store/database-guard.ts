import { silentLogger, type Logger } from '../log.ts';

/** What the guard needs of the store: SqliteStore has both. */
export interface GuardedDatabase {
  /** Why the file is no longer the one opened, or null. */
  fileProblem(): string | null;
  /** Saves a copy of the open database; returns its path. */
  rescue(): string;
}

/** How the process learns that its database file is gone. */
export interface DatabaseLoss {
  problem: string;
  /** Where the data was saved, or null when saving failed (the reason is logged). */
  rescuedTo: string | null;
}

/** How often the running bot checks that its database file is still the one it opened. */
export const DATABASE_CHECK_MS = 5000;

/**
 * Watches that the database file is still the one the process opened: on `check()` (each fan-out
 * calls it) and every `intervalMs`. The first time it is not, the loss is logged at fatal, the
 * data still reachable through the open connection is saved beside it, and `lost` resolves so
 * the process can stop loudly (exit non-zero) instead of carrying on into an unlinked file.
 */
export class DatabaseGuard {
  /** Resolves once, at the first problem found. */
  readonly lost: Promise<DatabaseLoss>;
  private resolveLost!: (loss: DatabaseLoss) => void;
  private loss: DatabaseLoss | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly database: GuardedDatabase,
    options: { intervalMs?: number; logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? silentLogger();
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
    this.timer = setInterval(() => this.check(), options.intervalMs ?? DATABASE_CHECK_MS);
    this.timer.unref();
  }

  /** The problem (also after the first time), or null while the file is the one opened. */
  check(): string | null {
    if (this.loss) return this.loss.problem;
    const problem = this.database.fileProblem();
    if (problem === null) return null;
    let rescuedTo: string | null = null;
    try {
      rescuedTo = this.database.rescue();
    } catch (error) {
      this.logger.error({ event: 'store.rescue_failed', err: error }, 'could not save a copy of the open database');
    }
    this.loss = { problem, rescuedTo };
    this.logger.fatal(
      { event: 'store.file_lost', reason: problem, rescuedTo },
      rescuedTo ? `database file lost; its data was saved to ${rescuedTo}; stopping` : 'database file lost; stopping',
    );
    this.stop();
    this.resolveLost(this.loss);
    return problem;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
